package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.sealer.crypto.ControllerKeyPair;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN.md, "bad input gets a clear error and harms nothing", against the running system: hostile HTTP
 * requests (each a 4xx whose JSON error names the code and the field), hostile raw Kafka records on the
 * requested, sealed, packaged, finishing and relink-requested topics (each one record on the failed topic that points back at it,
 * with an error code and a message; a finish request naming another workflow than its rotation's revokes nothing,
 * and one arriving twice finishes once), and a cluster whose certificate file is swapped for an expired, a non-RSA, a too
 * short and a non-PEM one (the rotation ends on the failed topic). After every case, a valid rotation must still
 * go all the way to notified. Strings that reach a mail header, a file name or an object key get CR/LF and
 * path-traversal attempts.
 */
@Timeout(300)
class HostileInputIT {

    @TempDir
    static Path dir;
    static EvidenceStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = EvidenceStack.start(dir, false, Set.of());
        aValidRotationStillCompletes(); // and gives the sealed and packaged events the hostile ones are made from
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    static void aValidRotationStillCompletes() throws Exception {
        String id = stack.rotate(EvidenceStack.FINANCIAL, List.of("dev"), EvidenceStack.FINANCIAL_REQUESTOR, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.notified(id));
    }

    // ---- HTTP

    record HttpCase(String name, String body, String contentType, String token, Map<String, String> headers,
                    int status, String code, String field) {
        @Override
        public String toString() {
            return name;
        }
    }

    static HttpCase body(String name, String body, int status, String code, String field) {
        return new HttpCase(name, body, "application/json", EvidenceStack.TOKEN, Map.of(), status, code, field);
    }

    /** A request for financial-ml with one field replaced by a raw JSON value ({@code null}: left out). */
    static HttpCase field(String name, String key, String rawJson, String code, String field) {
        ObjectNode request = EventJson.mapper().createObjectNode();
        request.put("workflow", "financial-ml");
        request.putArray("environments").add("dev");
        request.put("requestor", "financial-team@example.com");
        try {
            if (rawJson == null) {
                request.remove(key);
            } else {
                request.set(key, EventJson.mapper().readTree(rawJson));
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        return body(name, request.toString(), 400, code, field);
    }

    static String quoted(String s) {
        return EventJson.mapper().getNodeFactory().textNode(s).toString();
    }

    static Stream<HttpCase> httpCases() {
        String valid = "{\"workflow\":\"financial-ml\",\"environments\":[\"dev\"],\"requestor\":\"financial-team@example.com\"}";
        return Stream.of(
                body("invalid JSON", "{\"workflow\": ", 400, "invalid-json", null),
                body("a JSON array", "[]", 400, "invalid-json", null),
                body("a JSON string", "\"rotate please\"", 400, "invalid-json", null),
                body("an empty body", "", 400, "invalid-json", null),
                body("trailing data", valid + "{}", 400, "invalid-json", null),
                body("nesting 5000 deep", "{\"workflow\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, "invalid-type", "workflow"),
                body("a 100 KiB body", "{\"reason\":\"" + "x".repeat(100 * 1024) + "\"}", 413, "too-large", null),
                field("workflow is an object", "workflow", "{\"a\":1}", "invalid-type", "workflow"),
                field("environments is a number", "environments", "7", "invalid-type", "environments"),
                field("requestor is an array", "requestor", "[\"a@example.com\"]", "invalid-type", "requestor"),
                field("bundles is an object", "bundles", "{\"ghcr\":true}", "invalid-type", "bundles"),
                field("an unknown field", "namespace", "\"kube-system\"", "unknown-field", "namespace"),
                field("workflow missing", "workflow", null, "invalid-field", "workflow"),
                field("requestor missing", "requestor", null, "invalid-field", "requestor"),
                field("environments missing", "environments", null, "missing-field", "environments"),
                field("workflow in capitals", "workflow", "\"Financial-ML\"", "invalid-field", "workflow"),
                field("workflow path traversal", "workflow", "\"../../etc/passwd\"", "invalid-field", "workflow"),
                field("workflow with CR/LF", "workflow", quoted("financial-ml\r\nBcc: evil@example.com"), "invalid-field", "workflow"),
                field("workflow of 60 characters", "workflow", quoted("a".repeat(60)), "invalid-field", "workflow"),
                field("unknown workflow", "workflow", "\"ghost-ml\"", "unknown-workflow", "workflow"),
                field("environment not subscribed", "environments", "[\"staging\"]", "unknown-environment", "environments"),
                field("environment path traversal", "environments", "[\"../production\"]", "invalid-field", "environments"),
                field("environment with CR/LF", "environments", "[" + quoted("dev\r\nX-Injected: 1") + "]", "invalid-field", "environments"),
                field("environment null", "environments", "[null]", "invalid-field", "environments"),
                field("environment twice", "environments", "[\"dev\",\"dev\"]", "invalid-field", "environments"),
                field("requestor with CR/LF", "requestor", quoted("a@example.com\r\nBcc: evil@example.com"), "invalid-field", "requestor"),
                field("requestor with a display name", "requestor", quoted("Evil <evil@example.com>"), "invalid-field", "requestor"),
                field("requestor not an address", "requestor", "\"not-an-email\"", "invalid-field", "requestor"),
                field("requestor of 300 characters", "requestor", quoted("a".repeat(290) + "@example.com"), "invalid-field", "requestor"),
                field("bundle path traversal", "bundles", "[\"../ghcr\"]", "invalid-field", "bundles"),
                field("bundle unknown", "bundles", "[\"nope\"]", "unknown-bundle", "bundles"),
                field("reason with CR/LF", "reason", quoted("because\r\nX-Injected: 1"), "invalid-field", "reason"),
                field("reason of 501 characters", "reason", quoted("r".repeat(501)), "invalid-field", "reason"),
                body("a requestor the workflow does not allow", valid.replace("financial-team@example.com", "attacker@evil.test"),
                        403, "requestor-not-allowed", "requestor"),
                body("platform-wide without bundles", "{\"workflow\":\"*\",\"environments\":[],\"requestor\":\"a@example.com\"}",
                        400, "missing-field", "bundles"),
                new HttpCase("text/plain body", valid, "text/plain", EvidenceStack.TOKEN, Map.of(), 415, "unsupported-media-type", null),
                new HttpCase("no token", valid, "application/json", null, Map.of(), 401, "unauthorized", null),
                new HttpCase("a wrong token", valid, "application/json", "not-the-token-" + UUID.randomUUID(), Map.of(), 401,
                        "unauthorized", null),
                new HttpCase("Idempotency-Key with a space", valid, "application/json", EvidenceStack.TOKEN,
                        Map.of("Idempotency-Key", "a b"), 400, "invalid-header", "Idempotency-Key"));
    }

    @ParameterizedTest(name = "HTTP: {0}")
    @MethodSource("httpCases")
    void a_hostile_request_gets_a_4xx_naming_the_problem_and_harms_nothing(HttpCase c) throws Exception {
        int requestedBefore = stack.records(EventType.REQUESTED).size();
        HttpResponse<String> response = stack.post(c.body().getBytes(StandardCharsets.UTF_8), c.contentType(), c.token(), c.headers());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(c.status());
        JsonNode error = EventJson.mapper().readTree(response.body()).path("error");
        assertThat(error.path("code").asText()).as(response.body()).isEqualTo(c.code());
        assertThat(error.path("message").asText()).isNotBlank();
        if (c.field() == null) {
            assertThat(error.path("field").isNull()).as(response.body()).isTrue();
        } else {
            assertThat(error.path("field").asText()).as(response.body()).isEqualTo(c.field());
        }
        assertThat(stack.records(EventType.REQUESTED)).as("nothing was published").hasSize(requestedBefore);
        aValidRotationStillCompletes();
    }

    // ---- Kafka

    record KafkaCase(String name, EventType topic, Function<EvidenceStack, byte[]> value, Map<String, String> headers,
                     String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    static KafkaCase raw(String name, String value, String code) {
        return new KafkaCase(name, EventType.REQUESTED, s -> value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                Map.of(), code);
    }

    /** A structured-mode requested event with {@code data} as given (raw JSON), and attributes changed by {@code attributes}. */
    static String requested(String data, Consumer<ObjectNode> attributes) {
        ObjectNode event = EventJson.mapper().createObjectNode();
        event.put("specversion", "1.0");
        event.put("id", "hostile-" + UUID.randomUUID());
        event.put("source", "/hostile");
        event.put("type", "io.reseal.rotation.requested.v1");
        event.put("datacontenttype", "application/json");
        try {
            if (data != null) event.set("data", EventJson.mapper().readTree(data));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        attributes.accept(event);
        return event.toString();
    }

    static KafkaCase request(String name, String data, String code) {
        return raw(name, requested(data, e -> { }), code);
    }

    static String data(String workflow, String requestor, String extra) {
        return "{\"workflow\":" + workflow + ",\"requestor\":" + requestor + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    /** A finish request on the finishing topic, for rotation {@code rotationId}, with {@code data} as given (raw JSON). */
    static KafkaCase finishing(String name, String rotationId, String data, String code) {
        String value = requested(data, e -> {
            e.put("type", EventType.FINISHING.ceType());
            if (rotationId != null) e.put("rotationid", rotationId);
        });
        return new KafkaCase(name, EventType.FINISHING, s -> value.getBytes(StandardCharsets.UTF_8), Map.of(), code);
    }

    static String finishData(String rotationId, String workflow, String requestedBy) {
        return "{\"rotationId\":" + quoted(rotationId) + ",\"workflow\":" + quoted(workflow)
                + ",\"requestedBy\":" + quoted(requestedBy) + "}";
    }

    static final String FIN = "\"financial-ml\"";
    static final String REQ = "\"financial-team@example.com\"";

    /** The last real event of {@code type}, with a fresh id and rotation id, and its data changed by {@code change}. */
    static KafkaCase mutated(String name, EventType type, Consumer<ObjectNode> change, String code) {
        return new KafkaCase(name, type, s -> {
            try {
                var records = s.records(type);
                ObjectNode event = (ObjectNode) EventJson.mapper().readTree(records.get(records.size() - 1).value());
                String rotationId = "hostile-" + UUID.randomUUID();
                event.put("id", rotationId + "." + type.shortName());
                event.put("rotationid", rotationId);
                ObjectNode data = (ObjectNode) event.get("data");
                data.put("rotationId", rotationId);
                change.accept(data);
                return EventJson.mapper().writeValueAsBytes(event);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }, Map.of(), code);
    }

    static ObjectNode firstEnvironment(ObjectNode data) {
        return (ObjectNode) data.get("environments").get(0);
    }

    static ObjectNode firstSecret(ObjectNode data) {
        return (ObjectNode) firstEnvironment(data).get("secrets").get(0);
    }

    static Stream<KafkaCase> kafkaCases() {
        return Stream.of(
                raw("not JSON", "{not json", "invalid-json"),
                raw("an empty value", "", "invalid-json"),
                raw("a tombstone (no value)", null, "invalid-json"),
                raw("a JSON array", "[1,2]", "not-a-cloudevent"),
                raw("an empty object", "{}", "not-a-cloudevent"),
                raw("specversion 0.3", requested(data(FIN, REQ, ""), e -> e.put("specversion", "0.3")), "not-a-cloudevent"),
                raw("no id", requested(data(FIN, REQ, ""), e -> e.remove("id")), "not-a-cloudevent"),
                raw("an unknown event type", requested(data(FIN, REQ, ""), e -> e.put("type", "io.reseal.rotation.exploded.v1")),
                        "unknown-type"),
                raw("a notified event on the requested topic", requested(
                        "{\"rotationId\":\"r1\",\"workflow\":\"financial-ml\",\"recipients\":[],\"messageId\":\"<m@x>\",\"sentAt\":\"2026-01-01T00:00:00Z\"}",
                        e -> e.put("type", "io.reseal.rotation.notified.v1").put("rotationid", "r1")), "unexpected-type"),
                raw("rotationid path traversal", requested(data(FIN, REQ, ""), e -> e.put("rotationid", "../../evil")), "invalid-field"),
                raw("rotationid with CR/LF", requested(data(FIN, REQ, ""), e -> e.put("rotationid", "r1\r\nBcc: evil@example.com")),
                        "invalid-field"),
                request("no data", null, "missing-field"),
                request("data without workflow", "{\"requestor\":" + REQ + "}", "missing-field"),
                request("data without requestor", "{\"workflow\":" + FIN + "}", "missing-field"),
                request("workflow is an object", data("{\"a\":1}", REQ, ""), "invalid-field"),
                request("environments is an object", data(FIN, REQ, "\"environments\":{\"dev\":1}"), "invalid-field"),
                request("an unknown data field", data(FIN, REQ, "\"namespace\":\"kube-system\""), "invalid-field"),
                request("workflow in capitals", data("\"Financial-ML\"", REQ, ""), "invalid-request"),
                request("workflow path traversal", data("\"../../etc/passwd\"", REQ, ""), "invalid-request"),
                request("workflow with CR/LF", data(quoted("financial-ml\r\nBcc: evil@example.com"), REQ, ""), "invalid-request"),
                request("requestor with CR/LF", data(FIN, quoted("a@example.com\r\nBcc: evil@example.com"), ""), "invalid-request"),
                request("requestor with a display name", data(FIN, quoted("Evil <evil@example.com>"), ""), "invalid-request"),
                request("requestor not an address", data(FIN, "\"not-an-email\"", ""), "invalid-request"),
                request("environment path traversal", data(FIN, REQ, "\"environments\":[\"../production\"]"), "invalid-request"),
                request("environment with CR/LF", data(FIN, REQ, "\"environments\":[" + quoted("dev\r\nX: 1") + "]"), "invalid-request"),
                request("bundle path traversal", data(FIN, REQ, "\"bundles\":[\"../../ghcr\"]"), "invalid-request"),
                request("reason with CR/LF", data(FIN, REQ, "\"reason\":" + quoted("a\r\nX-Injected: 1")), "invalid-request"),
                request("a 900 KB reason", data(FIN, REQ, "\"reason\":\"" + "x".repeat(900_000) + "\""), "invalid-request"),
                request("environment not subscribed", data(FIN, REQ, "\"environments\":[\"staging\"]"), "no-subscribed-namespace"),
                request("unknown workflow", data("\"ghost-ml\"", REQ, ""), "unknown-workflow"),
                raw("an ad-hoc request with a future scheduled rotation id", requested(data(FIN, REQ, ""),
                        e -> e.put("rotationid", io.reseal.pipeline.event.RotationIds.scheduled("financial-ml",
                                Instant.parse("2099-01-01T00:00:00Z")))), "forged-rotation-id"),
                request("a scheduled request without its slot's id", data(FIN, REQ, "\"trigger\":\"scheduled\""),
                        "forged-rotation-id"),
                request("a key-renewal request for no real key", data(FIN, REQ, "\"trigger\":\"key-renewal\""),
                        "forged-rotation-id"),
                request("unknown bundle", data(FIN, REQ, "\"bundles\":[\"nope\"]"), "unknown-bundle"),
                new KafkaCase("binary mode, bad specversion", EventType.REQUESTED,
                        s -> data(FIN, REQ, "").getBytes(StandardCharsets.UTF_8),
                        Map.of("ce_specversion", "9.9", "ce_id", "b1", "ce_source", "/hostile",
                                "ce_type", "io.reseal.rotation.requested.v1", "content-type", "application/json"), "not-a-cloudevent"),
                new KafkaCase("binary mode, workflow path traversal", EventType.REQUESTED,
                        s -> data("\"../x\"", REQ, "").getBytes(StandardCharsets.UTF_8),
                        Map.of("ce_specversion", "1.0", "ce_id", "b2-" + UUID.randomUUID(), "ce_source", "/hostile",
                                "ce_type", "io.reseal.rotation.requested.v1", "content-type", "application/json"), "invalid-request"),
                new KafkaCase("sealed topic: not JSON", EventType.SEALED, s -> "%%%".getBytes(StandardCharsets.UTF_8), Map.of(),
                        "invalid-json"),
                mutated("sealed topic: environment name path traversal", EventType.SEALED,
                        d -> firstEnvironment(d).put("name", "../../etc"), "invalid-package-input"),
                mutated("sealed topic: namespace with CR/LF", EventType.SEALED,
                        d -> firstEnvironment(d).put("namespace", "financial-ml-dev\r\nkind: Secret"), "invalid-package-input"),
                mutated("sealed topic: secret name path traversal", EventType.SEALED,
                        d -> firstSecret(d).put("name", "../../../tmp/owned"), "invalid-package-input"),
                mutated("sealed topic: workflow path traversal (object key)", EventType.SEALED,
                        d -> d.put("workflow", "../other-team"), "invalid-package-input"),
                mutated("sealed topic: manifest not YAML", EventType.SEALED,
                        d -> firstSecret(d).put("manifest", "{{{ not: [yaml"), "invalid-package-input"),
                mutated("sealed topic: a ClusterRoleBinding after the SealedSecret", EventType.SEALED,
                        d -> firstSecret(d).put("manifest", firstSecret(d).get("manifest").asText()
                                + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n"
                                + "  name: pwn\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n"), "invalid-package-input"),
                mutated("sealed topic: a secret type that breaks out of the README", EventType.SEALED,
                        d -> firstSecret(d).put("type", "Opaque` | [click](https://evil.example)"), "invalid-package-input"),
                mutated("sealed topic: a manifest with a foreign annotation", EventType.SEALED,
                        d -> firstSecret(d).put("manifest", firstSecret(d).get("manifest").asText()
                                .replaceFirst("metadata:\n", "metadata:\n  annotations:\n    x.example.com/hook: run\n")),
                        "invalid-package-input"),
                mutated("packaged topic: requestor with CR/LF", EventType.PACKAGED, d -> {
                    d.put("requestor", "a@example.com\r\nBcc: evil@example.com");
                    d.putArray("recipients").add("a@example.com\r\nBcc: evil@example.com");
                }, "no-valid-recipient"),
                mutated("packaged topic: link already expired", EventType.PACKAGED,
                        d -> d.put("expiresAt", "2020-01-01T00:00:00Z"), "link-expired"),
                mutated("packaged topic: download URL with CR/LF", EventType.PACKAGED,
                        d -> d.put("downloadUrl", "http://127.0.0.1/x\r\nBcc: evil@example.com"), "invalid-event"),
                mutated("packaged topic: download URL not http", EventType.PACKAGED,
                        d -> d.put("downloadUrl", "javascript:alert(1)"), "invalid-event"),
                new KafkaCase("finishing topic: not JSON", EventType.FINISHING, s -> "{\"rotationId\": [".getBytes(StandardCharsets.UTF_8),
                        Map.of(), "invalid-json"),
                new KafkaCase("finishing topic: a requested event", EventType.FINISHING,
                        s -> requested(data(FIN, REQ, ""), e -> e.put("rotationid", "hostile-r1")).getBytes(StandardCharsets.UTF_8),
                        Map.of(), "unexpected-type"),
                finishing("finishing topic: a rotation that does not exist", "hostile-no-such-rotation",
                        finishData("hostile-no-such-rotation", "issued-ml", "hostile"), "nothing-to-finish"),
                finishing("finishing topic: no rotationid", null, finishData("x", "issued-ml", "hostile"), "missing-field"),
                finishing("finishing topic: data.rotationId is not the event's", "hostile-r2",
                        finishData("hostile-r3", "issued-ml", "hostile"), "invalid-request"),
                finishing("finishing topic: workflow path traversal", "hostile-r4",
                        finishData("hostile-r4", "../issued-ml", "hostile"), "invalid-request"),
                finishing("finishing topic: a 900 KB requestedBy", "hostile-r5",
                        finishData("hostile-r5", "issued-ml", "x".repeat(900_000)), "invalid-request"),
                finishing("finishing topic: requestedBy with CR/LF", "hostile-r6",
                        finishData("hostile-r6", "issued-ml", "a\r\nX-Injected: 1"), "invalid-request"),
                new KafkaCase("relink topic: not JSON", EventType.RELINK_REQUESTED,
                        s -> "{\"rotationId\": [".getBytes(StandardCharsets.UTF_8), Map.of(), "invalid-json"),
                new KafkaCase("relink topic: a requested event", EventType.RELINK_REQUESTED,
                        s -> requested(data(FIN, REQ, ""), e -> e.put("rotationid", "hostile-r7")).getBytes(StandardCharsets.UTF_8),
                        Map.of(), "unexpected-type"),
                relink("relink topic: a rotation that was never packaged", "hostile-never-packaged", "hostile-never-packaged",
                        "hostile", "not-packaged"),
                relink("relink topic: data.rotationId is not the event's", "hostile-r8", "hostile-r9", "hostile",
                        "invalid-request"),
                relink("relink topic: requestedBy with CR/LF", "hostile-r10", "hostile-r10", "a\r\nX-Injected: 1",
                        "invalid-request"));
    }

    /** A relink request on the relink-requested topic for {@code rotationId}, as the API writes it unless the data is changed. */
    static KafkaCase relink(String name, String rotationId, String dataRotationId, String requestedBy, String code) {
        String value = requested("{\"rotationId\":" + quoted(dataRotationId) + ",\"workflow\":" + FIN
                + ",\"relinkId\":" + quoted(rotationId + "-relink-1") + ",\"requestedBy\":" + quoted(requestedBy) + "}", e -> {
            e.put("type", EventType.RELINK_REQUESTED.ceType());
            e.put("rotationid", rotationId);
        });
        return new KafkaCase(name, EventType.RELINK_REQUESTED, s -> value.getBytes(StandardCharsets.UTF_8), Map.of(), code);
    }

    @ParameterizedTest(name = "Kafka: {0}")
    @MethodSource("kafkaCases")
    void a_hostile_record_ends_on_the_failed_topic_with_a_reason_and_the_next_rotation_completes(KafkaCase c) throws Exception {
        RecordMetadata sent = stack.sendRaw(stack.topic(c.topic()), "financial-ml", c.value().apply(stack), c.headers());
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.failureOf(sent).isPresent());
        JsonNode failure = stack.failureOf(sent).orElseThrow();
        assertThat(failure.path("errorCode").asText()).as(failure.toString()).isEqualTo(c.code());
        assertThat(failure.path("message").asText()).isNotBlank();
        aValidRotationStillCompletes();
    }

    @Test
    void a_finish_request_of_another_workflow_revokes_nothing_and_a_second_finish_does_nothing() throws Exception {
        // given: a delivered rotation whose previous login waits for finish
        String id = stack.rotate(EvidenceStack.ISSUED, List.of("dev"), EvidenceStack.ISSUED_REQUESTOR, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(90)).until(() -> stack.notified(id));

        // when: a finish request for it names another workflow
        RecordMetadata forged = stack.sendRaw(stack.topic(EventType.FINISHING), EvidenceStack.FINANCIAL,
                finishing("", id, finishData(id, EvidenceStack.FINANCIAL, "hostile"), "").value().apply(stack), Map.of());

        // then: it fails, naming both workflows, and nothing was revoked
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.failureOf(forged).isPresent());
        JsonNode failure = stack.failureOf(forged).orElseThrow();
        assertThat(failure.path("stage").asText()).isEqualTo("finisher");
        assertThat(failure.path("errorCode").asText()).isEqualTo("invalid-request");
        assertThat(failure.path("message").asText()).contains(EvidenceStack.FINANCIAL, EvidenceStack.ISSUED);
        assertThat(stack.events(EventType.FINISHED)).noneMatch(e -> id.equals(e.rotationId()));

        // when: it is finished for real, and that request arrives a second time
        assertThat(stack.finish(id)).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.events(EventType.FINISHED).stream()
                .anyMatch(e -> id.equals(e.rotationId())));
        var request = stack.records(EventType.FINISHING).stream()
                .filter(r -> r.value() != null && new String(r.value(), StandardCharsets.UTF_8).contains(id))
                .filter(r -> new String(r.value(), StandardCharsets.UTF_8).contains("/reseal/rotation-producer"))
                .findFirst().orElseThrow();
        stack.sendRaw(stack.topic(EventType.FINISHING), request.key(), request.value(), Map.of());
        // and a request behind it on the same partition, to know the duplicate was read
        RecordMetadata behind = stack.sendRaw(stack.topic(EventType.FINISHING), request.key(),
                finishing("", "hostile-behind", finishData("hostile-behind", EvidenceStack.ISSUED, "hostile"), "")
                        .value().apply(stack), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.failureOf(behind).isPresent());

        // then: one finish, and no failure for the duplicate
        assertThat(stack.events(EventType.FINISHED)).filteredOn(e -> id.equals(e.rotationId())).hasSize(1);
        assertThat(stack.failuresOf(id)).as("only the forged request's").containsExactly(failure);
        aValidRotationStillCompletes();
    }

    // ---- certificates

    record CertificateCase(String name, Function<Instant, String> pem, String messagePart) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<CertificateCase> certificateCases() {
        return Stream.of(
                new CertificateCase("expired", now -> ControllerKeyPair.generate("expired", 2048,
                        now.minus(ControllerKeyPair.KEY_TTL).minus(Duration.ofDays(1)), new SecureRandom()).certificatePem(), "expired"),
                new CertificateCase("not yet valid", now -> ControllerKeyPair.generate("future", 2048,
                        now.plus(Duration.ofDays(30)), new SecureRandom()).certificatePem(), "not valid before"),
                new CertificateCase("an EC key, not RSA", now -> selfSigned("EC", 256, "SHA256withECDSA", now), "not RSA"),
                new CertificateCase("RSA of 1024 bits", now -> selfSigned("RSA", 1024, "SHA256withRSA", now), "1024 bits"),
                new CertificateCase("not a PEM certificate", now -> "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n",
                        "base64"));
    }

    static String selfSigned(String algorithm, int bits, String signature, Instant now) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(bits);
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=hostile");
            var holder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder(signature).build(keys.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(holder);
            }
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "certificate: {0}")
    @MethodSource("certificateCases")
    void a_cluster_certificate_swapped_for_an_unusable_one_fails_the_rotation_with_a_reason(CertificateCase c) throws Exception {
        Files.writeString(stack.swappedCertificate(), c.pem().apply(Instant.now()));
        Thread.sleep(1500); // the cluster's certificate is trusted for one second (refresh: PT1S)
        String id = stack.rotate(EvidenceStack.SWAPPED, List.of("dev"), "swapped-team@example.com", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> !stack.failuresOf(id).isEmpty());
        JsonNode failure = stack.failuresOf(id).get(0);
        assertThat(failure.path("stage").asText()).isEqualTo("sealer");
        assertThat(failure.path("errorCode").asText()).isEqualTo("invalid-certificate");
        assertThat(failure.path("message").asText()).contains("cluster swapped", c.messagePart());
        assertThat(stack.notified(id)).isFalse();
        aValidRotationStillCompletes();
    }

    @Test
    void nothing_a_hostile_input_carried_reached_a_mail_header_a_file_name_or_an_object_key() {
        assertThat(stack.archiveObjectKeys()).allSatisfy(key -> assertThat(key)
                .matches("(financial-ml|credit-ml|issued-ml)/[0-9a-f-]{36}/(financial-ml|credit-ml|issued-ml)-ml-secrets-\\d{8}\\.tar\\.gz"));
        assertThat(stack.mails()).allSatisfy(mail -> {
            assertThat(mail.header("Bcc")).isNull();
            assertThat(mail.header("X-Injected")).isNull();
            assertThat(mail.file().getFileName().toString()).doesNotContain("evil");
        });
    }
}

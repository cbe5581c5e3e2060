package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.embedded.ShippedMonitoring;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.cli.StatusTable;
import io.reseal.producer.status.RotationStatus;
import io.reseal.producer.support.StageTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP API through the real server and a real Kafka broker (one per class). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RotationApiIT {

    private static final String INFRA_TOKEN = "infra-token-" + UUID.randomUUID();
    private static final String TEAM_TOKEN = "team-token-" + UUID.randomUUID();
    private static final String LIMITED_TOKEN = "limited-token-" + UUID.randomUUID();
    private static final String VALID = """
            {"workflow":"financial-ml","environments":["dev","production"],"requestor":"financial-team@example.com"}""";

    private final HttpClient http = HttpClient.newHttpClient();
    private ProducerFixture fixture;
    private StageTopics topics;
    private KafkaConfig kafkaConfig;
    private RotationProducer producer;

    @BeforeAll
    void start() {
        Map<String, WorkflowConfig.EnvironmentConfig> environments = new LinkedHashMap<>();
        environments.put("dev", null);
        environments.put("production", null);
        fixture = new ProducerFixture(List.of(
                new ApiToken("infra", ApiToken.sha256Hex(INFRA_TOKEN), List.of("*")),
                new ApiToken("team", ApiToken.sha256Hex(TEAM_TOKEN), List.of("financial-ml")),
                new ApiToken("limited", ApiToken.sha256Hex(LIMITED_TOKEN), List.of("financial-ml"), 2)),
                // scheduled every 30 days (epoch multiples: it does not fire during the test), a day of slack
                new WorkflowConfig("risk-ml", "risk-team@example.com", List.of("ml-platform"), environments,
                        new WorkflowConfig.ScheduleConfig(null, null, Duration.ofDays(30))));
        kafkaConfig = fixture.kafkaConfig();
        producer = fixture.start();
        topics = new StageTopics(fixture.bootstrapServers());
    }

    @AfterAll
    void stop() throws Exception {
        if (topics != null) topics.close();
        if (fixture != null) fixture.close();
        Path log = Path.of(System.getProperty("reseal.test.log", "target/test-logs/reseal-test.log"));
        assertThat(Files.readString(log)).as("no token in the logs")
                .contains("requested through the API")
                .doesNotContain(TEAM_TOKEN).doesNotContain(INFRA_TOKEN);
    }

    private String base() {
        return "http://localhost:" + producer.port();
    }

    private HttpResponse<String> post(String token, String contentType, String body, String idempotencyKey)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + "/api/v1/rotations"))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) request.header("Authorization", "Bearer " + token);
        if (contentType != null) request.header("Content-Type", contentType);
        if (idempotencyKey != null) request.header("Idempotency-Key", idempotencyKey);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String token, String body) throws Exception {
        return post(token, "application/json", body, null);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).GET();
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return EventJson.mapper().readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String field)
            throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        JsonNode error = json(response).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank();
        if (field == null) {
            assertThat(error.get("field").isNull()).isTrue();
        } else {
            assertThat(error.get("field").asText()).isEqualTo(field);
        }
    }

    @Test
    void authMatrix() throws Exception {
        HttpResponse<String> none = post(null, VALID);
        assertError(none, 401, "unauthorized", null);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));

        HttpResponse<String> wrong = post("not-a-configured-token", VALID);
        assertError(wrong, 401, "unauthorized", null);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(wrong.body()).doesNotContain("not-a-configured-token");

        assertError(post(TEAM_TOKEN, VALID.replace("financial-ml", "fraud-ml")), 403, "forbidden", "workflow");
        assertThat(post(TEAM_TOKEN, VALID).statusCode()).isEqualTo(202);
        assertThat(post(INFRA_TOKEN, VALID.replace("financial-ml", "fraud-ml")).statusCode()).isEqualTo(202);

        assertThat(get("/api/v1/rotations/x", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/rotations/x", "wrong").statusCode()).isEqualTo(401);
        assertError(get("/api/v1/rotations/x", TEAM_TOKEN), 404, "unknown-rotation", null);
    }

    @Test
    void aTokenSeesOnlyTheRotationsOfItsOwnWorkflows() throws Exception {
        String fraud = json(post(INFRA_TOKEN, VALID.replace("financial-ml", "fraud-ml"))).get("rotationId").asText();

        assertThat(get("/api/v1/rotations/" + fraud, INFRA_TOKEN).statusCode()).isEqualTo(200);
        assertError(get("/api/v1/rotations/" + fraud, TEAM_TOKEN), 404, "unknown-rotation", null);
    }

    @Test
    void aTokenOverItsRateIsRefusedUntilTheNextMinute() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(post(LIMITED_TOKEN, VALID).statusCode());
        }
        // two per minute; one minute boundary during the loop allows at most two more, never all five
        assertThat(statuses).contains(429).filteredOn(s -> s == 202).hasSizeBetween(2, 4);
        HttpResponse<String> refused = post(LIMITED_TOKEN, VALID);
        if (refused.statusCode() == 429) {
            assertError(refused, 429, "rate-limited", null);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void aRequestorTheWorkflowDoesNotAllowIsForbidden() throws Exception {
        assertError(post(TEAM_TOKEN, VALID.replace("financial-team@example.com", "attacker@evil.test")), 403,
                "requestor-not-allowed", "requestor");
    }

    @Test
    void eachValidationErrorNamesItsField() throws Exception {
        assertError(post(INFRA_TOKEN, VALID.replace("financial-ml", "Financial_ML")), 400, "invalid-field", "workflow");
        assertError(post(INFRA_TOKEN, VALID.replace("financial-ml", "unknown-ml")), 400, "unknown-workflow", "workflow");
        assertError(post(INFRA_TOKEN, VALID.replace("\"dev\"", "\"staging\"")), 400, "unknown-environment", "environments");
        assertError(post(INFRA_TOKEN, VALID.replace("financial-team@example.com", "Financial Team <f@x>")), 400,
                "invalid-field", "requestor");
        assertError(post(INFRA_TOKEN, VALID.replace("}", ",\"bundles\":[\"s3\"]}")), 400, "unknown-bundle", "bundles");
        assertError(post(INFRA_TOKEN, VALID.replace("}", ",\"reason\":\"" + "x".repeat(501) + "\"}")), 400,
                "invalid-field", "reason");
        assertError(post(INFRA_TOKEN, VALID.replace("}", ",\"priority\":1}")), 400, "unknown-field", "priority");
        assertError(post(INFRA_TOKEN, "{\"workflow\":\"financial-ml\""), 400, "invalid-json", null);
    }

    @Test
    void tooLargeAndNotJsonBodiesAreRefused() throws Exception {
        String huge = VALID.replace("}", ",\"reason\":\"" + "x".repeat(70 * 1024) + "\"}");
        assertError(post(INFRA_TOKEN, huge), 413, "too-large", null);
        assertError(post(INFRA_TOKEN, "text/plain", VALID, null), 415, "unsupported-media-type", null);
        assertError(post(INFRA_TOKEN, null, VALID, null), 415, "unsupported-media-type", null);
        assertThat(post(INFRA_TOKEN, "application/json; charset=utf-8", VALID, null).statusCode()).isEqualTo(202);
    }

    @Test
    void anIdempotencyKeyWithASpaceOrOver200CharactersIsRefusedNamingTheHeader() throws Exception {
        assertError(post(INFRA_TOKEN, "application/json", VALID, "has space"), 400, "invalid-header", "Idempotency-Key");
        assertError(post(INFRA_TOKEN, "application/json", VALID, "k".repeat(201)), 400, "invalid-header",
                "Idempotency-Key");
        assertThat(post(INFRA_TOKEN, "application/json", VALID, "k".repeat(200)).statusCode()).isEqualTo(202);
    }

    @Test
    void acceptedRequestIsOnKafkaBeforeTheAnswer() throws Exception {
        HttpResponse<String> response = post(TEAM_TOKEN, VALID.replace("}", ",\"reason\":\"leaked\"}"));

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = json(response);
        String rotationId = body.get("rotationId").asText();
        assertThat(body.get("status").asText()).isEqualTo("requested");
        assertThat(body.get("statusUrl").asText()).isEqualTo(base() + "/api/v1/rotations/" + rotationId);
        // no waiting: 202 means Kafka has it
        RotationEvent<?> event = topics.events(EventType.REQUESTED).stream()
                .filter(e -> rotationId.equals(e.rotationId())).findFirst().orElseThrow();
        assertThat(event.id()).isEqualTo(rotationId + ".requested");
        assertThat(event.source()).isEqualTo(URI.create("/reseal/rotation-producer"));
        assertThat(event.subject()).isEqualTo("financial-ml");
        assertThat(event.dataAs(RotationRequested.class)).isEqualTo(new RotationRequested("financial-ml",
                List.of("dev", "production"), List.of(), "financial-team@example.com", "leaked", Trigger.AD_HOC, null));
        // and visible at once on this replica
        assertThat(json(get("/api/v1/rotations/" + rotationId, TEAM_TOKEN)).get("stage").asText()).isEqualTo("requested");
    }

    @Test
    void idempotencyKeyReturnsTheSameRotation() throws Exception {
        String key = UUID.randomUUID().toString();
        HttpResponse<String> first = post(TEAM_TOKEN, "application/json", VALID, key);
        HttpResponse<String> retry = post(TEAM_TOKEN, "application/json", VALID, key);
        HttpResponse<String> other = post(TEAM_TOKEN, "application/json", VALID, UUID.randomUUID().toString());

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        String rotationId = json(first).get("rotationId").asText();
        assertThat(json(retry).get("rotationId").asText()).isEqualTo(rotationId);
        assertThat(json(other).get("rotationId").asText()).isNotEqualTo(rotationId);
        assertThat(topics.events(EventType.REQUESTED)).filteredOn(e -> rotationId.equals(e.rotationId())).hasSize(1);

        assertError(post(TEAM_TOKEN, "application/json", VALID.replace("\"dev\",", ""), key), 422,
                "idempotency-key-reused", "Idempotency-Key");
    }

    @Test
    void platformWideRequestFansOutWithOneBatchId() throws Exception {
        String request = "{\"workflow\":\"*\",\"bundles\":[\"ghcr\"],\"requestor\":\"infra@example.com\"}";
        assertError(post(TEAM_TOKEN, request), 403, "forbidden", "workflow");

        HttpResponse<String> response = post(INFRA_TOKEN, request);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = json(response);
        String batchId = body.get("batchId").asText();
        List<String> workflowsRotated = new ArrayList<>();
        body.get("rotations").forEach(r -> workflowsRotated.add(r.get("workflow").asText()));
        assertThat(workflowsRotated).containsExactly("financial-ml", "web");
        List<RotationRequested> onKafka = topics.events(EventType.REQUESTED).stream()
                .map(e -> e.dataAs(RotationRequested.class))
                .filter(r -> batchId.equals(r.batchId()))
                .toList();
        assertThat(onKafka).extracting(RotationRequested::workflow).containsExactlyInAnyOrder("financial-ml", "web");
        assertThat(onKafka).allSatisfy(r -> assertThat(r.bundles()).containsExactly("ghcr"));
    }

    @Test
    void statusFollowsEveryStageAndSurvivesARestart() throws Exception {
        String delivered = json(post(TEAM_TOKEN, VALID)).get("rotationId").asText();
        String broken = json(post(TEAM_TOKEN, VALID)).get("rotationId").asText();
        Instant t = Instant.now();
        Instant expiry = t.plus(Duration.ofDays(7));

        topics.write(worker(delivered, EventType.SEALED, new RotationSealed(delivered, "financial-ml",
                "financial-team@example.com", Trigger.AD_HOC, null, t, List.of())));
        topics.write(worker(delivered, EventType.PACKAGED, new RotationPackaged(delivered, "financial-ml",
                "financial-team@example.com", Trigger.AD_HOC, null, t, "reseal", "financial-ml/" + delivered + "/a.tar.gz",
                "a.tar.gz", 10, "ab".repeat(32), "http://s3/a.tar.gz?X-Amz-Signature=x", expiry, "fp",
                List.of("financial-team@example.com"), List.of())));
        topics.write(worker(delivered, EventType.NOTIFIED, new RotationNotified(delivered, "financial-ml",
                List.of("financial-team@example.com"), "<m@reseal>", t)));
        topics.write(worker(broken, EventType.FAILED, new RotationFailed("sealer", "unknown-bundle",
                "bundle s3 is not configured", "reseal.rotation.requested", 0, 3L, broken, "financial-ml")));

        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + delivered, TEAM_TOKEN))
                .get("stage").asText()).isEqualTo("notified"));
        JsonNode status = json(get("/api/v1/rotations/" + delivered, TEAM_TOKEN));
        assertThat(status.get("workflow").asText()).isEqualTo("financial-ml");
        assertThat(status.get("stages").fieldNames()).toIterable()
                .containsExactly("requested", "sealed", "packaged", "notified");
        assertThat(status.get("package").get("downloadUrl").asText()).isEqualTo("http://s3/a.tar.gz?X-Amz-Signature=x");
        assertThat(Instant.parse(status.get("package").get("expiresAt").asText())).isEqualTo(expiry);
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + broken, TEAM_TOKEN))
                .get("stage").asText()).isEqualTo("failed"));
        assertThat(json(get("/api/v1/rotations/" + broken, TEAM_TOKEN)).get("error").get("code").asText())
                .isEqualTo("unknown-bundle");

        // when the producer restarts, it rebuilds the view from the topics
        fixture.stop(producer);
        producer = fixture.start();

        JsonNode afterRestart = json(get("/api/v1/rotations/" + delivered, TEAM_TOKEN));
        assertThat(afterRestart.get("stage").asText()).isEqualTo("notified");
        assertThat(afterRestart.get("stages").size()).isEqualTo(4);
        assertThat(json(get("/api/v1/rotations/" + broken, TEAM_TOKEN)).get("stage").asText()).isEqualTo("failed");
    }

    @Test
    void finishFollowsTheTokenRulesAndTheStatusShowsEachIssuersPhase() throws Exception {
        // given: a rotation of financial-ml, and one of fraud-ml that the team token may not touch
        String rotation = json(post(TEAM_TOKEN, VALID)).get("rotationId").asText();
        String other = json(post(INFRA_TOKEN, VALID.replace("financial-ml", "fraud-ml"))).get("rotationId").asText();
        String finish = "/api/v1/rotations/" + rotation + "/finish";

        // then: the same 401/403 rules as creating, 404 for an unknown rotation, 409 before it is sealed
        assertError(postFinish(finish, null), 401, "unauthorized", null);
        assertError(postFinish(finish, "not-a-configured-token"), 401, "unauthorized", null);
        assertError(postFinish("/api/v1/rotations/no-such-rotation/finish", TEAM_TOKEN), 404, "unknown-rotation", null);
        await().untilAsserted(() -> assertThat(get("/api/v1/rotations/" + other, INFRA_TOKEN).statusCode()).isEqualTo(200));
        assertError(postFinish("/api/v1/rotations/" + other + "/finish", TEAM_TOKEN), 403, "forbidden", null);
        assertError(postFinish(finish, TEAM_TOKEN), 409, "nothing-to-finish", null);

        // when: it is sealed with a pending login, the previous one still valid
        Instant t = Instant.now();
        topics.write(worker(rotation, EventType.SEALED, new RotationSealed(rotation, "financial-ml",
                "financial-team@example.com", Trigger.AD_HOC, null, t, List.of(),
                List.of(new IssuedVersions("mlflow-db", "alternating-users", "mlflow_app_a", "mlflow_app_b")))));
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + rotation, TEAM_TOKEN)).path("issuers")
                .path(0).path("phase").asText()).isEqualTo("tested"));

        // when: adoption is complete, but the sealer holds the finish back (the previous login is in use)
        Instant revokeAt = t.plus(Duration.ofDays(3));
        topics.write(worker(rotation, EventType.FINISH_DEFERRED, new RotationFinishDeferred(rotation, "financial-ml",
                "mlflow-db", "mlflow_app_a", 2, revokeAt)));

        // then: the status says so, and the stage stays
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + rotation, TEAM_TOKEN)).path("issuers")
                .path(0).path("note").asText()).isEqualTo("previous login mlflow_app_a still in use by 2 connections; revocation at "
                + revokeAt));
        assertThat(json(get("/api/v1/rotations/" + rotation, TEAM_TOKEN)).get("stage").asText()).isEqualTo("sealed");

        // then: finish is accepted and on Kafka, naming who asked
        HttpResponse<String> accepted = postFinish(finish, TEAM_TOKEN);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(json(accepted).get("status").asText()).isEqualTo("finishing");
        List<RotationEvent<?>> finishing = topics.events(EventType.FINISHING);
        assertThat(finishing).anySatisfy(e -> {
            assertThat(e.rotationId()).isEqualTo(rotation);
            assertThat(e.dataAs(RotationFinishing.class).requestedBy()).isEqualTo("team");
        });

        // when: the sealer has finished it
        Instant revokedAt = Instant.now();
        topics.write(worker(rotation, EventType.FINISHED, new RotationFinished(rotation, "financial-ml",
                List.of(new RotationFinished.Revocation("mlflow-db", "mlflow_app_b", "mlflow_app_a", revokedAt)),
                RotationFinishing.DEADLINE, List.of(new RotationAdoptionComplete.Laggard("production", "financial-ml",
                        "prod-eu", AdoptionState.DELIVERED)))));

        // then: the status says what was revoked when
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + rotation, TEAM_TOKEN)).get("stage").asText())
                .isEqualTo("finished"));
        RotationStatus status = new RotateClient(URI.create(base()), TEAM_TOKEN, Duration.ofMillis(100)).status(rotation);
        String note = "at the revokePrevious deadline; still on the previous credential: financial-ml on prod-eu (delivered)";
        assertThat(status.issuers()).containsExactly(new RotationStatus.IssuerPhase("mlflow-db", "alternating-users",
                "finished", "mlflow_app_b", null, "mlflow_app_a", revokedAt, note));
        assertThat(RotateClient.render(status))
                .contains("issuer    mlflow-db: finished, current mlflow_app_b, revoked mlflow_app_a at " + revokedAt + ": " + note);
    }

    private HttpResponse<String> postFinish(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adoptionIsShownPerNamespaceAndRotationsAreListedByState() throws Exception {
        // given: a delivered rotation; the adoption watcher reports dev rolled out, production still unsealed
        RotateClient client = new RotateClient(URI.create(base() + "/"), TEAM_TOKEN, Duration.ofMillis(100));
        Instant t = ADOPTION_START;
        String rotationId = rotationBeingAdopted(client);

        // then: the API shows both namespaces, the stage stays the pipeline's
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + rotationId, TEAM_TOKEN))
                .path("adoption").path("namespaces").size()).isEqualTo(2));
        JsonNode status = json(get("/api/v1/rotations/" + rotationId, TEAM_TOKEN));
        assertThat(status.get("stage").asText()).isEqualTo("notified");
        assertThat(status.get("adoption").get("namespaces").get(0).get("namespace").asText()).isEqualTo("financial-ml");
        assertThat(status.get("adoption").get("namespaces").get(0).get("state").asText()).isEqualTo("unsealed");
        assertThat(status.get("adoption").get("namespaces").get(1).get("state").asText()).isEqualTo("rolled-out");
        String table = RotateClient.render(client.status(rotationId));
        assertThat(table).contains("adoption\n")
                .containsPattern("\\* +financial-ml +prod-eu +production +unsealed +2026-03-02T09:01:30Z")
                .containsPattern("\\n {5}financial-ml-dev +prod-eu +dev +rolled-out +2026-03-02T09:02:00Z")
                .contains("* may still run the previous credential");

        // and: it is listed as adopting, not as adopted, and only to tokens that may see its workflow
        assertThat(client.list("financial-ml", "adopting")).extracting(RotationStatus::rotationId).contains(rotationId);
        assertThat(client.list(null, "adopted")).extracting(RotationStatus::rotationId).doesNotContain(rotationId);
        assertThat(StatusTable.rotations(client.list("financial-ml", "adopting"))).containsPattern(
                rotationId + " +financial-ml +adopting +ad-hoc +1/2");
        assertError(get("/api/v1/rotations?state=bogus", TEAM_TOKEN), 400, "invalid-field", "state");
        assertThat(get("/api/v1/rotations", null).statusCode()).isEqualTo(401);

        // when: adoption completes
        topics.write(RotationEvent.forRotation(rotationId, EventType.ADOPTION_COMPLETE, "/reseal/adoption-watcher",
                "financial-ml", OffsetDateTime.now(ZoneOffset.UTC), new RotationAdoptionComplete(rotationId,
                        "financial-ml", AdoptionState.ROLLED_OUT, RotationAdoptionComplete.Outcome.DEADLINE,
                        t.plus(Duration.ofDays(7)), List.of(new RotationAdoptionComplete.Laggard("production",
                        "financial-ml", "prod-eu", AdoptionState.UNSEALED)))));

        // then
        await().untilAsserted(() -> assertThat(client.list("financial-ml", "deadline"))
                .extracting(RotationStatus::rotationId).contains(rotationId));
        assertThat(RotateClient.render(client.status(rotationId)))
                .contains("complete  deadline at 2026-03-09T09:00:00Z, behind: financial-ml");
    }

    private static final Instant ADOPTION_START = Instant.parse("2026-03-02T09:00:00Z");

    /** A delivered rotation of which the adoption watcher reported dev rolled out and production unsealed. */
    private String rotationBeingAdopted(RotateClient client) throws Exception {
        Instant t = ADOPTION_START;
        String rotationId = client.rotate("financial-ml", List.of("dev", "production"), "financial-team@example.com",
                List.of(), null);
        topics.write(worker(rotationId, EventType.NOTIFIED, new RotationNotified(rotationId, "financial-ml",
                List.of("financial-team@example.com"), "<m@reseal>", t)));
        for (var change : List.of(
                new RotationAdopted(rotationId, "financial-ml", "dev", "financial-ml-dev", "prod-eu",
                        AdoptionState.UNSEALED, t.plusSeconds(60), null),
                new RotationAdopted(rotationId, "financial-ml", "dev", "financial-ml-dev", "prod-eu",
                        AdoptionState.ROLLED_OUT, t.plusSeconds(120), "1 workload(s) restarted: Deployment/model-api"))) {
            topics.write(new RotationEvent<>(change.eventId(), URI.create("/reseal/adoption-watcher"),
                    EventType.ADOPTED, "financial-ml", OffsetDateTime.now(ZoneOffset.UTC), rotationId, change));
        }
        // not the watcher's: another source, and an id the watcher would not give it; the status ignores it
        RotationAdopted forged = new RotationAdopted(rotationId, "financial-ml", "production", "financial-ml", "prod-eu",
                AdoptionState.ROLLED_OUT, t.plusSeconds(200), "forged");
        topics.write(new RotationEvent<>("forged-" + UUID.randomUUID(), URI.create("/hostile"), EventType.ADOPTED,
                "financial-ml", OffsetDateTime.now(ZoneOffset.UTC), rotationId, forged));
        topics.write(new RotationEvent<>(forged.eventId() + ".x", URI.create("/reseal/adoption-watcher"), EventType.ADOPTED,
                "financial-ml", OffsetDateTime.now(ZoneOffset.UTC), rotationId, forged));
        for (var change : List.of(
                new RotationAdopted(rotationId, "financial-ml", "production", "financial-ml", "prod-eu",
                        AdoptionState.UNSEALED, t.plusSeconds(90), null))) {
            topics.write(new RotationEvent<>(change.eventId(), URI.create("/reseal/adoption-watcher"),
                    EventType.ADOPTED, "financial-ml", OffsetDateTime.now(ZoneOffset.UTC), rotationId, change));
        }

        return rotationId;
    }

    @Test
    void statusPageShowsTheNamespacesOnThePreviousCredentialInHeadlessChromium() throws Exception {
        // given
        RotateClient client = new RotateClient(URI.create(base() + "/"), TEAM_TOKEN, Duration.ofMillis(100));
        String rotationId = rotationBeingAdopted(client);
        topics.write(worker(rotationId, EventType.SEALED, new RotationSealed(rotationId, "financial-ml",
                "financial-team@example.com", Trigger.AD_HOC, null, ADOPTION_START, List.of(),
                List.of(new IssuedVersions("mlflow-db", "alternating-users", "mlflow_app_a", "mlflow_app_b")))));
        topics.write(worker(rotationId, EventType.FINISH_DEFERRED, new RotationFinishDeferred(rotationId, "financial-ml",
                "mlflow-db", "mlflow_app_a", 2, ADOPTION_START.plus(Duration.ofDays(3)))));
        await().untilAsserted(() -> assertThat(client.status(rotationId).adoption()).isNotNull());
        await().untilAsserted(() -> assertThat(client.status(rotationId).adoption().namespaces()).hasSize(2));
        await().untilAsserted(() -> assertThat(client.status(rotationId).issuers()).singleElement()
                .satisfies(i -> assertThat(i.note()).isNotNull()));
        HttpResponse<String> page = get("/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'"));
        assertThat(page.body()).as("the page itself holds no data").doesNotContain(rotationId);

        // when: a browser opens it with the token in the fragment (never sent to the server)
        String url = base() + "/#token=" + TEAM_TOKEN;
        String dom = chromium("--dump-dom", url);
        Path screenshot = Path.of("target", "screenshots", "status-page.png").toAbsolutePath();
        Files.createDirectories(screenshot.getParent());
        Files.deleteIfExists(screenshot);
        chromium("--screenshot=" + screenshot, url);

        // then
        assertThat(dom).contains("data-loaded=\"true\"").contains(rotationId)
                .containsPattern("<tr class=\"previous\"[^>]*data-namespace=\"financial-ml\"")
                .containsPattern("<tr data-namespace=\"financial-ml-dev\"")
                .contains("<p class=\"issuer pending\">issuer mlflow-db: tested, new mlflow_app_b, previous mlflow_app_a valid"
                        + " until finish: previous login mlflow_app_a still in use by 2 connections; revocation at 2026-03-05T09:00:00Z</p>")
                .doesNotContain(TEAM_TOKEN);
        assertThat(Files.size(screenshot)).as("screenshot at " + screenshot).isGreaterThan(10_000);
    }

    /** Runs Debian's headless Chromium (.ci/run installs it) and returns what it printed. */
    private static String chromium(String action, String url) throws Exception {
        String binary = java.util.stream.Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
                .filter(b -> Files.isExecutable(Path.of(b))).findFirst()
                .orElseThrow(() -> new AssertionError("headless Chromium is needed: apt-get install chromium"));
        Process process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--window-size=1280,720", "--virtual-time-budget=15000",
                "--user-data-dir=" + Files.createTempDirectory("chromium"), action, url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static <D> RotationEvent<D> worker(String rotationId, EventType type, D data) {
        return RotationEvent.forRotation(rotationId, type, "/reseal/test-worker", "financial-ml",
                OffsetDateTime.now(ZoneOffset.UTC), data);
    }

    @Test
    void healthAndMetrics() throws Exception {
        assertThat(get("/health/live", null).statusCode()).isEqualTo(200);
        await().untilAsserted(() -> assertThat(get("/health/ready", null).statusCode()).isEqualTo(200));
        post(null, VALID);
        post(TEAM_TOKEN, VALID);

        HttpResponse<String> metrics = get("/metrics", null);

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("reseal_api_requests_total{endpoint=\"create\",outcome=\"unauthorized\"}")
                .contains("reseal_api_requests_total{endpoint=\"create\",outcome=\"accepted\"}")
                .containsPattern("reseal_rotations\\{stage=\"requested\"} [1-9]")
                .doesNotContain(TEAM_TOKEN);
    }

    @Test
    void metricsCountRefusedCallersAndTriggersAndShowCredentialAgesStuckStagesAndFailedRevocations() throws Exception {
        String before = get("/metrics", null).body();
        String risk = VALID.replace("financial-ml", "risk-ml").replace("financial-team", "risk-team");

        // when: callers are refused for each reason
        post(null, VALID);
        post("not-a-configured-token", VALID);
        post(TEAM_TOKEN, risk);
        post(TEAM_TOKEN, VALID.replace("financial-team@example.com", "attacker@evil.test"));
        // and: risk-ml is delivered to both environments 40 days ago, and later to dev alone (production still runs
        // the old credential); a third rotation stays requested; the sealer renews a key
        String both = json(post(INFRA_TOKEN, risk)).get("rotationId").asText();
        String devOnly = json(post(INFRA_TOKEN, risk.replace(",\"production\"", ""))).get("rotationId").asText();
        String waiting = json(post(INFRA_TOKEN, risk)).get("rotationId").asText();
        Instant fortyDaysAgo = Instant.now().minus(Duration.ofDays(40));
        topics.write(worker(both, EventType.NOTIFIED, new RotationNotified(both, "risk-ml", List.of("risk-team@example.com"),
                "<m1@reseal>", fortyDaysAgo)));
        topics.write(worker(devOnly, EventType.NOTIFIED, new RotationNotified(devOnly, "risk-ml",
                List.of("risk-team@example.com"), "<m2@reseal>", Instant.now())));
        String renewal = "key-renewal-" + UUID.randomUUID();
        topics.write(RotationEvent.forRotation(renewal, EventType.REQUESTED, "/reseal/sealer-worker", "risk-ml",
                OffsetDateTime.now(ZoneOffset.UTC), new RotationRequested("risk-ml", List.of(), List.of(),
                        "risk-team@example.com", "certificate renewed", Trigger.KEY_RENEWAL, null)));
        // and: finishing a rotation fails at its issuer
        String unfinished = json(post(INFRA_TOKEN, risk)).get("rotationId").asText();
        topics.write(worker(unfinished, EventType.FINISHING, new RotationFinishing(unfinished, "risk-ml", "infra")));
        topics.write(worker(unfinished, EventType.FAILED, new RotationFailed("finisher", "issuer-unavailable",
                "issuer mlflow-db: connection refused", "reseal.rotation.finishing", 0, 1L, unfinished, "risk-ml")));
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + unfinished, INFRA_TOKEN)).get("stage")
                .asText()).isEqualTo("failed"));
        await().untilAsserted(() -> assertThat(json(get("/api/v1/rotations/" + devOnly, INFRA_TOKEN)).get("stage")
                .asText()).isEqualTo("notified"));
        await().untilAsserted(() -> assertThat(value(get("/metrics", null).body(),
                "reseal_rotations_requested_total{trigger=\"key-renewal\"}")).isEqualTo(value(before,
                "reseal_rotations_requested_total{trigger=\"key-renewal\"}") + 1));

        // then
        String after = get("/metrics", null).body();
        for (String reason : List.of("reason=\"no-token\",status=\"401\"", "reason=\"unknown-token\",status=\"401\"",
                "reason=\"workflow-not-allowed\",status=\"403\"", "reason=\"requestor-not-allowed\",status=\"403\"")) {
            String series = "reseal_api_denied_total{" + reason + "}";
            assertThat(value(after, series) - value(before, series)).as(series).isEqualTo(1.0);
        }
        String adHoc = "reseal_rotations_requested_total{trigger=\"ad-hoc\"}";
        assertThat(value(after, adHoc) - value(before, adHoc)).isEqualTo(4.0);
        double age = value(after, "reseal_credential_age_seconds{bundle=\"ml-platform\",workflow=\"risk-ml\"}");
        assertThat(age).as("the dev-only delivery does not renew production's credential")
                .isBetween(Duration.ofDays(40).toSeconds() - 60.0, Duration.ofDays(40).toSeconds() + 600.0);
        assertThat(value(after, "reseal_credential_max_age_seconds{bundle=\"ml-platform\",workflow=\"risk-ml\"}"))
                .isEqualTo((double) Duration.ofDays(31).toSeconds());
        assertThat(after).as("an unscheduled workflow has an age but no maximum")
                .doesNotContain("reseal_credential_max_age_seconds{bundle=\"ghcr\",workflow=\"financial-ml\"}");
        assertThat(value(after, "reseal_rotation_stage_oldest_seconds{stage=\"requested\"}")).as(waiting).isPositive();
        assertThat(value(after, "reseal_rotation_revocations_failed") - value(before, "reseal_rotation_revocations_failed"))
                .isEqualTo(1.0);
        assertThat(after).doesNotContain(TEAM_TOKEN).doesNotContain("not-a-configured-token").doesNotContain("attacker");

        // and: every metric of the producer's alerts and dashboard panels is exposed
        Set<String> used = ShippedMonitoring.metricsByService().get("producer");
        assertThat(used).contains("reseal_credential_age_seconds", "reseal_credential_max_age_seconds",
                "reseal_api_denied_total", "reseal_rotations_requested_total", "reseal_rotation_stage_oldest_seconds",
                "reseal_rotation_revocations_failed");
        for (String metric : used) {
            assertThat(after).as("%s is exposed", metric).containsPattern("(?m)^" + metric + "[{ ]");
        }
    }

    /** The value of the sample written exactly as {@code series}; 0 when absent. */
    private static double value(String scrape, String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).strip()))
                .findFirst().orElse(0.0);
    }

    @Test
    void rotateClientRequestsFollowsAndRenders() throws Exception {
        RotateClient client = new RotateClient(URI.create(base() + "/"), TEAM_TOKEN, Duration.ofMillis(100));

        String rotationId = client.rotate("financial-ml", List.of("dev"), "financial-team@example.com", List.of(), null);
        assertThat(client.status(rotationId).stage()).isEqualTo("requested");
        topics.write(worker(rotationId, EventType.NOTIFIED, new RotationNotified(rotationId, "financial-ml",
                List.of("financial-team@example.com"), "<m@reseal>", Instant.now())));

        RotationStatus done = client.waitFor(rotationId, Duration.ofSeconds(20));

        assertThat(done.stage()).isEqualTo("notified");
        assertThat(RotateClient.render(done)).contains(rotationId).contains("stage     notified");
        assertThat(RotateClient.json(done)).contains("\"stage\" : \"notified\"");
        assertThatThrownBy(() -> client.status("no-such-rotation"))
                .isInstanceOfSatisfying(RotateClient.ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> client.rotate("fraud-ml", List.of("dev"), "a@example.com", List.of(), null))
                .isInstanceOfSatisfying(RotateClient.ApiException.class, e -> assertThat(e.status()).isEqualTo(403))
                .hasMessageNotContaining(TEAM_TOKEN);
    }

    @Test
    void rotateClientWritesStraightToKafka() throws Exception {
        String rotationId = RotateClient.rotateViaKafka(kafkaConfig, "financial-ml", List.of("dev"),
                "financial-team@example.com", List.of("ghcr"), null, Clock.systemUTC());

        assertThat(topics.events(EventType.REQUESTED)).filteredOn(e -> rotationId.equals(e.rotationId()))
                .singleElement()
                .satisfies(e -> assertThat(e.dataAs(RotationRequested.class).bundles()).containsExactly("ghcr"));
        assertThatThrownBy(() -> RotateClient.rotateViaKafka(kafkaConfig, "financial-ml", List.of("dev"),
                "not an address", List.of(), null, Clock.systemUTC())).hasMessageStartingWith("requestor");
        // the producer's view sees requests from any client
        await().untilAsserted(() -> assertThat(get("/api/v1/rotations/" + rotationId, TEAM_TOKEN).statusCode()).isEqualTo(200));
    }
}

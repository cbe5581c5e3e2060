package io.reseal.producer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.api.RotationApi;
import io.reseal.producer.publish.RequestPublisher;
import io.reseal.producer.status.RotationStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code reseal rotate} and {@code reseal status} do, without the command-line parsing: ask the API for
 * an ad-hoc rotation, read and render its status, follow it until it is over; or, without an API, write the
 * request straight to Kafka. The token is only ever sent in the {@code Authorization} header: it is not kept
 * in {@link #toString()} or in any exception. Thread-safe.
 */
public final class RotateClient {

    private static final int RETRIES = 3;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI apiUrl;
    private final String token;
    private final Duration pollInterval;

    /**
     * @param apiUrl the API's base URL, e.g. {@code http://localhost:8080}
     * @param token the plaintext API token
     * @param pollInterval how often {@link #waitFor} asks
     */
    public RotateClient(URI apiUrl, String token, Duration pollInterval) {
        String base = apiUrl.toString();
        this.apiUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.token = token;
        this.pollInterval = pollInterval;
    }

    /** A refusal or failure of the API: its HTTP status, error code and message. */
    public static final class ApiException extends IOException {

        private final int status;
        private final String code;

        ApiException(int status, String code, String message) {
            super("HTTP " + status + (code == null ? "" : " " + code) + ": " + message);
            this.status = status;
            this.code = code;
        }

        public int status() {
            return status;
        }

        public String code() {
            return code;
        }
    }

    /**
     * Requests a rotation through the API and returns its id (for {@code "workflow": "*"}, the batch id).
     *
     * @param bundles empty for all the workflow's bundles
     * @param reason may be {@code null}
     */
    public String rotate(String workflow, List<String> environments, String requestor, List<String> bundles,
                         String reason) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflow", workflow);
        body.put("environments", environments);
        body.put("requestor", requestor);
        if (!bundles.isEmpty()) {
            body.put("bundles", bundles);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        HttpRequest request = authorized(URI.create(apiUrl + RotationApi.ROTATIONS))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(EventJson.mapper().writeValueAsBytes(body)))
                .build();
        JsonNode answer = sendWithRetries(request);
        return answer.hasNonNull("rotationId") ? answer.get("rotationId").asText() : answer.path("batchId").asText();
    }

    /**
     * Sends a POST up to three times when the API is unreachable or answers 503: safe because the request
     * carries one Idempotency-Key, so every attempt stands for the same rotation.
     */
    private JsonNode sendWithRetries(HttpRequest request) throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return send(request, 202);
            } catch (ApiException e) {
                if (e.status() != 503 || attempt == RETRIES) {
                    throw e;
                }
            } catch (java.net.ConnectException e) {
                if (attempt == RETRIES) {
                    throw e;
                }
            }
            Thread.sleep(1000L * attempt);
        }
    }

    /**
     * Asks the API to finish a rotation: revoke the previous credentials of its issuers. Returns once Kafka has the
     * request; the sealer does the revoking ({@link #status} shows when).
     */
    public void finish(String rotationId) throws IOException, InterruptedException {
        HttpRequest request = authorized(URI.create(apiUrl + RotationApi.ROTATIONS + "/"
                + URLEncoder.encode(rotationId, StandardCharsets.UTF_8) + "/finish"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        sendWithRetries(request);
    }

    /**
     * Asks the API for a fresh download link of a packaged rotation, mailed to the recipients of its first mail.
     * Returns the relink id once Kafka has the request; the attempts carry one Idempotency-Key, so a retry mails once.
     */
    public String relink(String rotationId) throws IOException, InterruptedException {
        HttpRequest request = authorized(URI.create(apiUrl + RotationApi.ROTATIONS + "/"
                + URLEncoder.encode(rotationId, StandardCharsets.UTF_8) + "/relink"))
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return sendWithRetries(request).path("relinkId").asText();
    }

    /**
     * Approves the certificate {@code fingerprint} that {@code cluster}'s URL serves and the sealer holds. Returns
     * the fingerprint as the API read it (64 hex digits) once Kafka has the approval; the sealer uses the
     * certificate from its next refresh on.
     */
    public String approveKey(String cluster, String fingerprint) throws IOException, InterruptedException {
        HttpRequest request = authorized(URI.create(apiUrl + "/api/v1/clusters/" + URLEncoder.encode(cluster, StandardCharsets.UTF_8)
                + "/keys/" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8) + "/approve"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return sendWithRetries(request).path("fingerprint").asText();
    }

    /** The status of a rotation; {@link ApiException} with status 404 if the API does not know it. */
    public RotationStatus status(String rotationId) throws IOException, InterruptedException {
        HttpRequest request = authorized(URI.create(apiUrl + RotationApi.ROTATIONS + "/"
                + URLEncoder.encode(rotationId, StandardCharsets.UTF_8))).GET().build();
        return EventJson.mapper().treeToValue(send(request, 200), RotationStatus.class);
    }

    /** The rotations the API lists, newest first; {@code workflow} and {@code state} may be null (all). */
    public List<RotationStatus> list(String workflow, String state) throws IOException, InterruptedException {
        StringBuilder query = new StringBuilder();
        if (workflow != null) query.append("&workflow=").append(URLEncoder.encode(workflow, StandardCharsets.UTF_8));
        if (state != null) query.append("&state=").append(URLEncoder.encode(state, StandardCharsets.UTF_8));
        String url = apiUrl + RotationApi.ROTATIONS + (query.length() == 0 ? "" : "?" + query.substring(1));
        JsonNode answer = send(authorized(URI.create(url)).GET().build(), 200);
        return List.of(EventJson.mapper().treeToValue(answer.path("rotations"), RotationStatus[].class));
    }

    /**
     * Asks for the status until the rotation is {@code notified} or {@code failed}, and returns that status.
     * A rotation the API does not know yet (another replica accepted it) is asked again.
     *
     * @throws TimeoutException if it is not over within {@code timeout}; the message says where it was
     */
    public RotationStatus waitFor(String rotationId, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        Instant deadline = Instant.now().plus(timeout);
        String lastStage = "unknown";
        while (true) {
            try {
                RotationStatus status = status(rotationId);
                if (status.finished()) {
                    return status;
                }
                lastStage = status.stage();
            } catch (ApiException e) {
                if (e.status() != 404 && e.status() != 503) {
                    throw e;
                }
            }
            if (Instant.now().plus(pollInterval).isAfter(deadline)) {
                throw new TimeoutException("rotation " + rotationId + " is not over after " + timeout
                        + " (last stage: " + lastStage + ")");
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    /** A status as lines of text for people. */
    public static String render(RotationStatus status) {
        StringBuilder text = new StringBuilder();
        text.append("rotation  ").append(status.rotationId()).append('\n');
        text.append("workflow  ").append(status.workflow()).append('\n');
        text.append("stage     ").append(status.stage()).append('\n');
        if (status.trigger() != null) {
            text.append("trigger   ").append(status.trigger()).append('\n');
        }
        if (status.batchId() != null) {
            text.append("batch     ").append(status.batchId()).append('\n');
        }
        status.stages().forEach((stage, at) -> text.append(String.format("  %-9s %s%n", stage, at)));
        if (status.link() != null) {
            text.append("package   ").append(status.link().downloadUrl()).append('\n');
            text.append("expires   ").append(status.link().expiresAt()).append('\n');
            text.append("sha256    ").append(status.link().sha256()).append('\n');
        }
        if (status.relink() != null) {
            RotationStatus.Relink relink = status.relink();
            text.append("relink    ").append(relink.relinkId()).append(": ").append(relink.state())
                    .append(relink.error() != null ? " (" + relink.error() + ")" : "")
                    .append(relink.expiresAt() != null ? ", fresh link until " + relink.expiresAt() : "").append('\n');
        }
        if (status.git() != null) {
            text.append("git       ").append(status.git().repository()).append(' ').append(status.git().branch());
            if (status.git().commit() != null) {
                text.append(" at ").append(status.git().commit());
                if (status.git().targetBranch() != null) {
                    text.append(" (merge request into ").append(status.git().targetBranch()).append(')');
                }
            } else {
                text.append(": not committed: ").append(status.git().failure());
            }
            text.append('\n');
        }
        if (status.issuers() != null) {
            for (RotationStatus.IssuerPhase issuer : status.issuers()) {
                text.append("issuer    ").append(issuer.issuer()).append(": ").append(issuer.phase());
                if (issuer.phase().equals("tested")) {
                    text.append(", new ").append(issuer.pending()).append(issuer.current() != null
                            ? ", previous " + issuer.current() + " valid until finish" : ", no previous credential");
                } else {
                    text.append(", current ").append(issuer.current()).append(issuer.revoked() != null
                            ? ", revoked " + issuer.revoked() + " at " + issuer.revokedAt() : ", nothing to revoke");
                }
                if (issuer.note() != null) {
                    text.append(": ").append(issuer.note());
                }
                text.append('\n');
            }
        }
        if (status.error() != null) {
            text.append("error     ").append(status.error().stage()).append(": ").append(status.error().code())
                    .append(": ").append(status.error().message()).append('\n');
        }
        text.append(StatusTable.adoption(status));
        return text.toString();
    }

    /** A status as indented JSON (the API's format). */
    public static String json(RotationStatus status) {
        try {
            return EventJson.mapper().writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write status", e);
        }
    }

    /**
     * Writes an ad-hoc rotation request straight to Kafka (no API, no token; the workflow is checked by the
     * sealer, which reports an unknown one on the failed topic) and returns its rotation id once Kafka
     * acknowledged it.
     *
     * @throws IllegalArgumentException naming the field if the request breaks a {@link RequestRules} rule
     */
    public static String rotateViaKafka(KafkaConfig kafka, String workflow, List<String> environments,
                                        String requestor, List<String> bundles, String reason, Clock clock)
            throws InterruptedException, ExecutionException, TimeoutException {
        RequestRules.requestor(requestor).ifPresent(e -> {
            throw new IllegalArgumentException(e.field() + ": " + e.message());
        });
        RequestRules.workflow(workflow).ifPresent(e -> {
            throw new IllegalArgumentException(e.field() + ": " + e.message());
        });
        RotationRequested request = new RotationRequested(workflow, environments, bundles, requestor,
                reason != null ? reason : "requested with reseal rotate --kafka", Trigger.AD_HOC, null);
        RequestRules.check(request).ifPresent(e -> {
            throw new IllegalArgumentException(e.field() + ": " + e.message());
        });
        String rotationId = UUID.randomUUID().toString();
        RotationEvent<RotationRequested> event = RotationEvent.forRotation(rotationId, EventType.REQUESTED,
                RequestPublisher.SOURCE, workflow, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC),
                request);
        try (RequestPublisher publisher = new RequestPublisher(new KafkaClients(kafka), kafka.topicNames(),
                "reseal-cli")) {
            publisher.publish(List.of(event)).get(30, TimeUnit.SECONDS);
        }
        return rotationId;
    }

    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest request, int expected) throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.net.ConnectException e) {
            java.net.ConnectException unreachable = new java.net.ConnectException("cannot reach the API at " + apiUrl
                    + ": connection refused (is ./reseal local or the rotation-producer running? see --api)");
            unreachable.initCause(e);
            throw unreachable;
        }
        JsonNode body;
        try {
            body = EventJson.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new ApiException(response.statusCode(), null, "the API answered with something that is not JSON");
        }
        if (response.statusCode() != expected) {
            JsonNode error = body == null ? null : body.path("error");
            throw new ApiException(response.statusCode(),
                    error == null ? null : error.path("code").asText(null),
                    error == null ? "no error detail" : error.path("message").asText("no error detail"));
        }
        return body;
    }

    @Override
    public String toString() {
        return "RotateClient[" + apiUrl + "]";
    }
}

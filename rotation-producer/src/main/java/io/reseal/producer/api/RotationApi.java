package io.reseal.producer.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RequestIdempotency;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.TraceParent;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.ops.Health;
import io.reseal.pipeline.ops.KafkaReadiness;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.ProducerMetrics;
import io.reseal.producer.publish.RequestPublisher;
import io.reseal.producer.status.IdempotencyIndex;
import io.reseal.producer.status.RotationListing;
import io.reseal.producer.status.RotationStatus;
import io.reseal.producer.status.RotationStatusView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's HTTP API (DESIGN.md, "HTTP API"):
 * <ul>
 *   <li>{@code POST /api/v1/rotations}: answers {@code 202} only after Kafka acknowledged every requested
 *       event ({@code acks=all}); {@code 503} if it did not, in which case nothing may have been published
 *       or some was, and a retry with the same {@code Idempotency-Key} publishes the same event ids. An
 *       {@code Idempotency-Key} is bound to the token and to the request's content (the event carries both
 *       hashes, never the key) and holds on every replica and across restarts for
 *       {@link IdempotencyIndex#WINDOW}: the same request again gets the same {@code 202} body (header
 *       {@code Idempotent-Replayed: true}) without publishing anything, another request {@code 422}
 *       ({@code idempotency-key-reused}); while this replica is still reading the requested topic, {@code 503}.
 *       Rotation ids are derived from the key and the content, so two replicas racing with one request publish
 *       the same event id, which the stages dedupe. A valid W3C
 *       {@code traceparent} request header is carried on into the events' records; without one each event
 *       starts a trace of its own.</li>
 *   <li>{@code GET /api/v1/rotations/{id}}: the {@link RotationStatus} from the {@link RotationStatusView},
 *       only to a token allowed that rotation's workflow ({@code 404} to any other); a rotation this replica just
 *       accepted is visible at once.</li>
 *   <li>{@code POST /api/v1/rotations/{id}/finish}: revoke the previous credentials of a rotation with issued
 *       credentials (see {@code finish}).</li>
 *   <li>{@code POST /api/v1/rotations/{id}/relink}: mail a fresh download link of a packaged rotation
 *       ({@link RelinkRequest}).</li>
 *   <li>{@code POST /api/v1/clusters/{cluster}/keys/{fingerprint}/approve}: approve a cluster's held certificate
 *       ({@link KeyApprovalRequest}).</li>
 *   <li>{@code GET /health/live}, {@code GET /health/ready} (checks {@code kafka}: it answers, and
 *       {@code statusView}: loaded), in the {@link Health} JSON shape; {@code GET /metrics} (Prometheus text).</li>
 * </ul>
 * The rotation endpoints need a Bearer token; a token making more than its {@code requestsPerMinute} rotation
 * requests gets {@code 429} ({@link RequestRate}); every 4xx carries {@code {"error": {"code", "message",
 * "field"}}}. Tokens are never logged or echoed. The router's handlers run on Vert.x event loops; Kafka
 * sends run on worker threads. {@link #close()} closes the Kafka admin client this API opened.
 */
public final class RotationApi implements AutoCloseable {

    public static final String ROTATIONS = "/api/v1/rotations";
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(RotationApi.class);
    private static final Pattern ROTATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final String JSON = "application/json";

    private final Vertx vertx;
    private final Map<String, WorkflowConfig> workflows;
    private final TokenAuthenticator authenticator;
    private final RequestPublisher publisher;
    private final RotationStatusView view;
    private final KafkaReadiness readiness;
    private final ProducerMetrics metrics;
    private final Clock clock;
    private final InFlightRequests inFlight = new InFlightRequests();
    private final RequestRate rate;
    private final Supplier<String> statusBase;

    /**
     * @param statusBase the public base URL that {@code statusUrl}s start with (asked per request, so it may
     *     depend on the port the server was bound to)
     */
    public RotationApi(Vertx vertx, ProducerConfig config, List<WorkflowConfig> workflows, KafkaClients clients,
                       RequestPublisher publisher, RotationStatusView view, ProducerMetrics metrics, Clock clock,
                       Supplier<String> statusBase) {
        this.vertx = vertx;
        this.workflows = workflows.stream().collect(Collectors.toMap(WorkflowConfig::name, Function.identity()));
        this.authenticator = new TokenAuthenticator(config.tokens());
        this.publisher = publisher;
        this.view = view;
        this.readiness = new KafkaReadiness(clients, "reseal-producer-readiness");
        this.metrics = metrics;
        this.clock = clock;
        this.rate = new RequestRate(clock);
        this.statusBase = statusBase;
    }

    public Router router() {
        Router router = Router.router(vertx);
        router.post(ROTATIONS)
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
                .handler(this::create)
                .failureHandler(this::failed);
        router.get(ROTATIONS + "/:id").handler(this::status).failureHandler(this::failed);
        router.post(ROTATIONS + "/:id/finish").handler(this::finish).failureHandler(this::failed);
        router.post(RelinkRequest.PATH).handler(this::relink).failureHandler(this::failed);
        router.get(ROTATIONS).handler(this::list).failureHandler(this::failed);
        router.post(KeyApprovalRequest.PATH).handler(this::approveKey).failureHandler(this::failed);
        new StatusPage().routes(router);
        router.get("/health/live").handler(ctx -> health(ctx, Map.of()));
        router.get("/health/ready").handler(this::ready);
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(metrics.scrape()));
        return router;
    }

    private void create(RoutingContext ctx) {
        Optional<ApiToken> authenticated = authenticate(ctx, "create");
        if (authenticated.isEmpty()) {
            return;
        }
        ApiToken token = authenticated.get();
        try {
            throttle(ctx, token);
            if (!isJson(ctx.request().getHeader("Content-Type"))) {
                throw new RequestRejected(415, "unsupported-media-type", "send the body as application/json", null);
            }
            String key = IdempotencyKeyHeader.checked(ctx.request().getHeader(IdempotencyKeyHeader.NAME));
            Buffer buffer = ctx.body().buffer();
            RotationRequestBody body = RotationRequestBody.parse(buffer == null ? new byte[0] : buffer.getBytes());
            RequestIdempotency idempotency = key == null ? null
                    : new RequestIdempotency(ApiToken.sha256Hex("reseal-api-key\n" + token.name() + "\n" + key), body.sha256());
            String batchId = !ProducerConfig.ALL_WORKFLOWS.equals(body.workflow()) ? null
                    : idempotency == null ? UUID.randomUUID().toString() : IdempotencyIndex.batchId(idempotency);
            List<RotationRequested> requests = body.plan(token, workflows, batchId);
            CompletableFuture<byte[]> answer = new CompletableFuture<>();
            if (idempotency != null) {
                requests = requests.stream().map(r -> r.withIdempotency(idempotency)).toList();
                Optional<Map<String, String>> replayed = alreadyAccepted(idempotency, requests);
                if (replayed.isPresent()) {
                    ctx.response().putHeader("Idempotent-Replayed", "true");
                    answerWith(ctx, CompletableFuture.completedFuture(json(accepted(replayed.get(), batchId))));
                    return;
                }
                InFlightRequests.Attempt running = inFlight.claim(idempotency.keySha256(), idempotency.requestSha256(), answer);
                if (running != null) {
                    if (!running.requestSha256().equals(idempotency.requestSha256())) {
                        throw keyReused();
                    }
                    answerWith(ctx, running.answer());
                    return;
                }
            }
            Map<String, String> trace = TraceParent.parse(ctx.request().getHeader(TraceParent.HEADER))
                    .map(parent -> Map.of(TraceParent.HEADER, parent.next().header()))
                    .orElse(Map.of());
            publish(token, requests, batchId, trace, answer);
            answerWith(ctx, answer);
        } catch (RequestRejected e) {
            if (e.status() == 503) {
                ctx.response().putHeader("Retry-After", "1");
            }
            reject(ctx, "create", e);
        }
    }

    /**
     * The rotations, by workflow, that an earlier request with the same key and content became (on any replica,
     * before or after a restart), if every one planned now is among them; empty if it must be published (again).
     *
     * @throws RequestRejected 422 when the key stood for another request, 503 while the requested topic is being read
     */
    private Optional<Map<String, String>> alreadyAccepted(RequestIdempotency idempotency, List<RotationRequested> requests)
            throws RequestRejected {
        if (!view.loaded()) {
            throw new RequestRejected(503, "status-loading", "the Idempotency-Keys already used are still being read "
                    + "from Kafka; retry shortly with the same Idempotency-Key", null);
        }
        Map<String, IdempotencyIndex.Accepted> known = view.idempotency().requests(idempotency.keySha256());
        IdempotencyIndex.Accepted same = known.get(idempotency.requestSha256());
        if (same == null) {
            if (!known.isEmpty()) {
                throw keyReused();
            }
            return Optional.empty();
        }
        boolean complete = requests.stream().allMatch(r -> same.rotationByWorkflow().containsKey(r.workflow()));
        return complete ? Optional.of(new TreeMap<>(same.rotationByWorkflow())) : Optional.empty();
    }

    private static RequestRejected keyReused() {
        return new RequestRejected(422, "idempotency-key-reused", "this Idempotency-Key was used for a different "
                + "request in the last " + IdempotencyIndex.WINDOW.toHours() + " hours; use a new key for a new request",
                "Idempotency-Key");
    }

    private void publish(ApiToken token, List<RotationRequested> requests, String batchId,
                         Map<String, String> trace, CompletableFuture<byte[]> answer) {
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        List<RotationEvent<RotationRequested>> events = new ArrayList<>();
        Map<String, String> rotationByWorkflow = new LinkedHashMap<>();
        for (RotationRequested request : requests) {
            String rotationId = request.idempotency() == null ? UUID.randomUUID().toString()
                    : IdempotencyIndex.rotationId(request.idempotency(), request.workflow());
            events.add(RotationEvent.forRotation(rotationId, EventType.REQUESTED, RequestPublisher.SOURCE,
                    request.workflow(), now, request));
            rotationByWorkflow.put(request.workflow(), rotationId);
        }
        Object response = accepted(rotationByWorkflow, batchId);
        vertx.<Void>executeBlocking(() -> {
            publisher.publish(events, trace).get(30, TimeUnit.SECONDS);
            return null;
        }, false).onComplete(result -> {
            if (result.succeeded()) {
                events.forEach(view::record);
                events.forEach(e -> LOG.info("rotation {} of {} requested through the API with token '{}'",
                        e.rotationId(), e.subject(), token.name()));
                answer.complete(json(response));
            } else {
                LOG.warn("could not publish {} rotation request(s): {}", events.size(), result.cause().toString());
                answer.completeExceptionally(result.cause());
            }
        });
    }

    /** The 202 body: the one rotation, or for a platform-wide request ({@code batchId} set) the batch of them. */
    private Object accepted(Map<String, String> rotationByWorkflow, String batchId) {
        List<Map<String, Object>> accepted = new ArrayList<>();
        rotationByWorkflow.forEach((workflow, rotationId) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("rotationId", rotationId);
            one.put("workflow", workflow);
            one.put("status", "requested");
            one.put("statusUrl", statusBase.get() + ROTATIONS + "/" + rotationId);
            accepted.add(one);
        });
        if (batchId == null) {
            return accepted.get(0);
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("batchId", batchId);
        batch.put("status", "requested");
        batch.put("rotations", accepted);
        return batch;
    }

    private void answerWith(RoutingContext ctx, CompletableFuture<byte[]> answer) {
        Future.fromCompletionStage(answer, vertx.getOrCreateContext()).onComplete(result -> {
            if (result.succeeded()) {
                metrics.request("create", "accepted");
                ctx.response().setStatusCode(202).putHeader("Content-Type", JSON).end(Buffer.buffer(result.result()));
            } else {
                reject(ctx, "create", new RequestRejected(503, "kafka-unavailable",
                        "Kafka did not acknowledge the request; retry with the same Idempotency-Key", null));
            }
        });
    }

    private void status(RoutingContext ctx) {
        Optional<ApiToken> token = authenticate(ctx, "status");
        if (token.isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        // A rotation of a workflow the token may not rotate is, to that token, not there (no existence oracle).
        Optional<RotationStatus> status = (ROTATION_ID.matcher(id).matches() ? view.find(id) : Optional.<RotationStatus>empty())
                .filter(found -> found.workflow() != null && token.get().allows(found.workflow()));
        if (status.isPresent()) {
            metrics.request("status", "found");
            send(ctx, 200, status.get());
        } else {
            unknown(ctx, "status", id);
        }
    }

    /** 503 while the status view loads, 404 after. */
    private void unknown(RoutingContext ctx, String endpoint, String id) {
        if (!view.loaded()) {
            ctx.response().putHeader("Retry-After", "1");
            reject(ctx, endpoint, new RequestRejected(503, "status-loading",
                    "the status of rotations is still being read from Kafka; retry shortly", null));
        } else {
            reject(ctx, endpoint, new RequestRejected(404, "unknown-rotation", "no rotation with id '"
                    + io.reseal.pipeline.event.RequestRules.printable(id) + "'", null));
        }
    }

    /**
     * {@code POST /api/v1/rotations/{id}/finish}: asks the sealer to revoke the previous credentials of a sealed
     * rotation with issued credentials. Same tokens as creating: 401 without a valid one, 403 for a token not
     * allowed that rotation's workflow; 404 for an unknown rotation, 409 for one that has nothing to finish (yet).
     * 202 once Kafka acknowledged the request; asking twice is harmless (the sealer finishes a rotation once).
     */
    private void finish(RoutingContext ctx) {
        Optional<ApiToken> authenticated = authenticate(ctx, "finish");
        if (authenticated.isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        Optional<RotationStatus> found = ROTATION_ID.matcher(id).matches() ? view.find(id) : Optional.empty();
        if (found.isEmpty()) {
            unknown(ctx, "finish", id);
            return;
        }
        RotationStatus status = found.get();
        ApiToken token = authenticated.get();
        if (status.workflow() == null || !token.allows(status.workflow())) {
            reject(ctx, "finish", RequestRejected.workflowNotAllowed("token '" + token.name()
                    + "' may not finish rotations of workflow '" + status.workflow() + "'", null));
            return;
        }
        if (status.issuers() == null) {
            reject(ctx, "finish", new RequestRejected(409, "nothing-to-finish", "rotation " + id
                    + (status.stages().containsKey("sealed") ? " has no credentials from an issuer" : " is not sealed yet"), null));
            return;
        }
        RotationEvent<RotationFinishing> event = RotationEvent.forRotation(id, EventType.FINISHING, RequestPublisher.SOURCE,
                status.workflow(), OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC),
                new RotationFinishing(id, status.workflow(), token.name()));
        vertx.<Void>executeBlocking(() -> {
            publisher.publishFinishing(event).get(30, TimeUnit.SECONDS);
            return null;
        }, false).onComplete(result -> {
            if (result.succeeded()) {
                view.record(event);
                LOG.info("finish of rotation {} requested through the API with token '{}'", id, token.name());
                metrics.request("finish", "accepted");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("rotationId", id);
                body.put("status", "finishing");
                body.put("statusUrl", statusBase.get() + ROTATIONS + "/" + id);
                send(ctx, 202, body);
            } else {
                reject(ctx, "finish", new RequestRejected(503, "kafka-unavailable",
                        "Kafka did not acknowledge the request; retry", null));
            }
        });
    }

    /**
     * {@code POST /api/v1/rotations/{id}/relink}: see {@link RelinkRequest}; 401 and 404 as for finish, 429 beyond
     * the token's {@code requestsPerMinute} (each relink mails people); 202 once Kafka has it.
     */
    private void relink(RoutingContext ctx) {
        Optional<ApiToken> token = authenticate(ctx, "relink");
        if (token.isEmpty()) {
            return;
        }
        String id = ctx.pathParam("id");
        Optional<RotationStatus> found = ROTATION_ID.matcher(id).matches() ? view.find(id) : Optional.empty();
        if (found.isEmpty()) {
            unknown(ctx, "relink", id);
            return;
        }
        RotationEvent<io.reseal.pipeline.event.RotationRelinkRequested> event;
        try {
            event = RelinkRequest.of(token.get(), found.get(), ctx.request().getHeader(IdempotencyKeyHeader.NAME), clock);
            throttle(ctx, token.get());
        } catch (RequestRejected e) {
            reject(ctx, "relink", e);
            return;
        }
        vertx.<Void>executeBlocking(() -> {
            publisher.publishRelink(event).get(30, TimeUnit.SECONDS);
            return null;
        }, false).onComplete(result -> {
            if (result.succeeded()) {
                LOG.info("relink {} of rotation {} requested through the API with token '{}'", event.data().relinkId(),
                        id, token.get().name());
                metrics.request("relink", "accepted");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("rotationId", id);
                body.put("relinkId", event.data().relinkId());
                body.put("status", "relink-requested");
                body.put("statusUrl", statusBase.get() + ROTATIONS + "/" + id);
                send(ctx, 202, body);
            } else {
                reject(ctx, "relink", new RequestRejected(503, "kafka-unavailable",
                        "Kafka did not acknowledge the request; retry with the same Idempotency-Key", null));
            }
        });
    }

    /** {@code POST /api/v1/clusters/{cluster}/keys/{fingerprint}/approve}: see {@link KeyApprovalRequest}; 202 once Kafka has it. */
    private void approveKey(RoutingContext ctx) {
        Optional<ApiToken> token = authenticate(ctx, "approve-key");
        if (token.isEmpty()) {
            return;
        }
        RotationEvent<io.reseal.pipeline.event.KeyApproved> event;
        try {
            event = KeyApprovalRequest.of(token.get(), ctx.pathParam("cluster"), ctx.pathParam("fingerprint"), clock);
            throttle(ctx, token.get());
        } catch (RequestRejected e) {
            reject(ctx, "approve-key", e);
            return;
        }
        vertx.<Void>executeBlocking(() -> {
            publisher.publishKeyApproval(event).get(30, TimeUnit.SECONDS);
            return null;
        }, false).onComplete(result -> {
            if (result.succeeded()) {
                LOG.info("key {} of cluster {} approved through the API with token '{}'", event.data().fingerprint(),
                        event.subject(), token.get().name());
                metrics.request("approve-key", "accepted");
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("cluster", event.subject());
                body.put("fingerprint", event.data().fingerprint());
                body.put("status", "approved");
                send(ctx, 202, body);
            } else {
                reject(ctx, "approve-key", new RequestRejected(503, "kafka-unavailable",
                        "Kafka did not acknowledge the approval; retry", null));
            }
        });
    }

    /**
     * Counts one request against the token's {@code requestsPerMinute}; beyond it, a 429 with {@code Retry-After}.
     * Every call that makes something happen downstream (a rotation, a mail, an approval) goes through here.
     */
    private void throttle(RoutingContext ctx, ApiToken token) throws RequestRejected {
        Duration wait = rate.acquire(token.name(), token.requestsPerMinute());
        if (wait != null) {
            ctx.response().putHeader("Retry-After", Long.toString(wait.toSeconds()));
            throw new RequestRejected(429, "rate-limited", "token '" + token.name() + "' made more than "
                    + token.requestsPerMinute() + " requests this minute (api.tokens[].requestsPerMinute)", null);
        }
    }

    /** {@code GET /api/v1/rotations?workflow=W&state=S}: the rotations of the workflows this token may start. */
    private void list(RoutingContext ctx) {
        Optional<ApiToken> token = authenticate(ctx, "list");
        if (token.isEmpty()) {
            return;
        }
        String workflow = ctx.request().getParam("workflow");
        String state = ctx.request().getParam("state");
        if (state != null && !RotationListing.STATES.contains(state)) {
            reject(ctx, "list", RequestRejected.badField("invalid-field", "state", "state must be one of "
                    + String.join(", ", RotationListing.STATES)));
            return;
        }
        if (workflow != null && !io.reseal.pipeline.event.RequestRules.DNS_LABEL.matcher(workflow).matches()) {
            reject(ctx, "list", RequestRejected.badField("invalid-field", "workflow", "workflow must be a DNS-1123 label"));
            return;
        }
        metrics.request("list", "found");
        send(ctx, 200, Map.of("rotations", RotationListing.select(view.all(), workflow, state, token.get()::allows)));
    }

    private void ready(RoutingContext ctx) {
        Future.fromCompletionStage(readiness.reachable(), vertx.getOrCreateContext()).onComplete(result -> {
            boolean kafka = result.succeeded() && result.result();
            boolean loaded = view.loaded();
            Map<String, Boolean> checks = new LinkedHashMap<>();
            checks.put("kafka", kafka);
            checks.put("statusView", loaded);
            health(ctx, checks);
        });
    }

    private static void health(RoutingContext ctx, Map<String, Boolean> checks) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(Health.isUp(checks) ? 200 : 503).putHeader("Content-Type", JSON)
                .end(Health.json(checks));
    }

    private Optional<ApiToken> authenticate(RoutingContext ctx, String endpoint) {
        String header = ctx.request().getHeader("Authorization");
        Optional<ApiToken> token = authenticator.authenticate(header);
        if (token.isEmpty()) {
            ctx.response().putHeader("WWW-Authenticate", header == null
                    ? "Bearer realm=\"reseal\""
                    : "Bearer realm=\"reseal\", error=\"invalid_token\"");
            reject(ctx, endpoint, RequestRejected.unauthorized(header == null));
        }
        return token;
    }

    private void failed(RoutingContext ctx) {
        String endpoint = ctx.currentRoute().getPath() != null && ctx.currentRoute().getPath().equals(ROTATIONS)
                ? "create" : "status";
        if (ctx.statusCode() == 413) {
            reject(ctx, endpoint, new RequestRejected(413, "too-large", "the body is larger than "
                    + MAX_BODY_BYTES / 1024 + " KiB", null));
        } else {
            if (ctx.failure() != null) {
                LOG.error("{} failed: {}", ctx.request().path(), ctx.failure().toString());
                LOG.debug("stack trace", ctx.failure());
            }
            int code = ctx.statusCode() >= 400 ? ctx.statusCode() : 500;
            reject(ctx, endpoint, new RequestRejected(code, code == 500 ? "internal-error" : "http-" + code,
                    code == 500 ? "internal error" : "request failed", null));
        }
    }

    private void reject(RoutingContext ctx, String endpoint, RequestRejected e) {
        metrics.request(endpoint, outcome(e.status()));
        if (e.status() == 401 || e.status() == 403 || e.status() == 429) {
            metrics.denied(e.status(), e.deniedBecause());
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", e.code());
        error.put("message", e.getMessage());
        error.put("field", e.field());
        send(ctx, e.status(), Map.of("error", error));
    }

    private static String outcome(int status) {
        return switch (status) {
            case 400, 422 -> "invalid";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            case 503 -> "unavailable";
            default -> "error";
        };
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return media.equals(JSON) || (media.startsWith("application/") && media.endsWith("+json"));
    }

    private static void send(RoutingContext ctx, int status, Object body) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).end(Buffer.buffer(json(body)));
    }

    private static byte[] json(Object body) {
        try {
            return EventJson.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response", e);
        }
    }

    @Override
    public void close() {
        readiness.close();
    }
}

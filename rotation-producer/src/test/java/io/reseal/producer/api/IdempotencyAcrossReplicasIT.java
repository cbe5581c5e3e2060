package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import io.reseal.producer.support.StageTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code Idempotency-Key} beyond one process: a producer restarted on the same topics, and two producers side by
 * side, answer a retry with the rotation the key already stands for (without publishing it again), and a key
 * reused with another body with {@code 422}, on a real Kafka broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyAcrossReplicasIT {

    private static final String TOKEN = "team-token-" + UUID.randomUUID();
    private static final String BODY = """
            {"workflow":"financial-ml","environments":["dev","production"],"requestor":"financial-team@example.com"}""";
    private static final String SAME_BODY_OTHER_FORM = """
            { "requestor": "financial-team@example.com", "environments": ["production", "dev"], "workflow": "financial-ml" }""";
    private static final String OTHER_BODY = """
            {"workflow":"financial-ml","environments":["dev"],"requestor":"financial-team@example.com"}""";

    private final HttpClient http = HttpClient.newHttpClient();
    private ProducerFixture fixture;
    private StageTopics topics;

    @BeforeAll
    void start() {
        fixture = new ProducerFixture(List.of(new ApiToken("team", ApiToken.sha256Hex(TOKEN), List.of("financial-ml", "*"))));
        topics = new StageTopics(fixture.bootstrapServers());
    }

    @AfterAll
    void stop() {
        if (topics != null) topics.close();
        if (fixture != null) fixture.close();
    }

    private HttpResponse<String> post(RotationProducer producer, String body, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + producer.port() + "/api/v1/rotations"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String rotationId(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return EventJson.mapper().readTree(response.body()).get("rotationId").asText();
    }

    private static void assertKeyReused(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        JsonNode error = EventJson.mapper().readTree(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("idempotency-key-reused");
        assertThat(error.get("field").asText()).isEqualTo("Idempotency-Key");
        assertThat(error.get("message").asText()).contains("different request");
    }

    private long requestedEvents(String rotationId) throws Exception {
        return topics.events(EventType.REQUESTED).stream().map(RotationEvent::rotationId).filter(rotationId::equals).count();
    }

    @Test
    void aRestartedProducerAnswersARetryWithTheSameRotationAndRefusesAnotherBody() throws Exception {
        String key = UUID.randomUUID().toString();
        RotationProducer first = fixture.start();
        String rotationId = rotationId(post(first, BODY, key));
        fixture.stop(first);
        int published = topics.events(EventType.REQUESTED).size();

        RotationProducer restarted = fixture.start();
        HttpResponse<String> retry = post(restarted, BODY, key);
        assertThat(rotationId(retry)).isEqualTo(rotationId);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(rotationId(post(restarted, SAME_BODY_OTHER_FORM, key))).as("the same request, written otherwise")
                .isEqualTo(rotationId);
        assertKeyReused(post(restarted, OTHER_BODY, key));
        assertThat(requestedEvents(rotationId)).as("the retries published nothing").isEqualTo(1);
        assertThat(topics.events(EventType.REQUESTED)).as("nor did the refused body").hasSize(published);
        fixture.stop(restarted);
    }

    @Test
    void twoReplicasAgreeOnAKeyOnceTheFirstRequestIsVisible() throws Exception {
        String key = UUID.randomUUID().toString();
        RotationProducer a = fixture.start();
        RotationProducer b = fixture.start();
        int before = topics.events(EventType.REQUESTED).size();
        String rotationId = rotationId(post(a, BODY, key));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertKeyReused(post(b, OTHER_BODY, key)));
        assertThat(rotationId(post(b, BODY, key))).isEqualTo(rotationId);
        assertKeyReused(post(a, OTHER_BODY, key));
        assertThat(requestedEvents(rotationId)).isEqualTo(1);
        assertThat(topics.events(EventType.REQUESTED)).hasSize(before + 1);
        fixture.stop(a);
        fixture.stop(b);
    }

    @Test
    void twoReplicasRacingWithOneKeyAndBodyNameOneRotation() throws Exception {
        String key = UUID.randomUUID().toString();
        RotationProducer a = fixture.start();
        RotationProducer b = fixture.start();
        CompletableFuture<HttpResponse<String>> onA = CompletableFuture.supplyAsync(() -> send(a, BODY, key));
        CompletableFuture<HttpResponse<String>> onB = CompletableFuture.supplyAsync(() -> send(b, BODY, key));
        String rotationId = rotationId(onA.get());
        assertThat(rotationId(onB.get())).isEqualTo(rotationId);
        // Both may have published before seeing the other: the same event id twice, which every stage dedupes.
        assertThat(requestedEvents(rotationId)).isBetween(1L, 2L);
        assertThat(topics.events(EventType.REQUESTED)).filteredOn(e -> e.rotationId().equals(rotationId))
                .extracting(RotationEvent::id).containsOnly(rotationId + ".requested");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertKeyReused(post(a, OTHER_BODY, key));
            assertKeyReused(post(b, OTHER_BODY, key));
        });
        fixture.stop(a);
        fixture.stop(b);
    }

    @Test
    void aPlatformWideRetryAfterARestartGetsTheSameBatch() throws Exception {
        String key = UUID.randomUUID().toString();
        String request = "{\"workflow\":\"*\",\"bundles\":[\"ghcr\"],\"requestor\":\"infra@example.com\"}";
        RotationProducer first = fixture.start();
        HttpResponse<String> accepted = post(first, request, key);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        fixture.stop(first);

        RotationProducer restarted = fixture.start();
        HttpResponse<String> retried = post(restarted, request, key);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        JsonNode before = EventJson.mapper().readTree(accepted.body());
        JsonNode after = EventJson.mapper().readTree(retried.body());
        assertThat(after.get("batchId")).isEqualTo(before.get("batchId"));
        assertThat(ids(after)).isEqualTo(ids(before)).hasSize(2);
        assertKeyReused(post(restarted, request.replace("ghcr", "ml-platform"), key));
        fixture.stop(restarted);
    }

    private static List<String> ids(JsonNode batch) {
        List<String> ids = new ArrayList<>();
        batch.get("rotations").forEach(r -> ids.add(r.get("workflow").asText() + "=" + r.get("rotationId").asText()));
        return ids;
    }

    private HttpResponse<String> send(RotationProducer producer, String body, String key) {
        try {
            return post(producer, body, key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

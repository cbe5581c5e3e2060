package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.embedded.KafkaCluster;
import io.reseal.embedded.KafkaClusterFactory;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import io.reseal.producer.support.StageTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
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
    private KafkaCluster kafka;
    private StageTopics topics;
    private ProducerConfig config;
    private KafkaConfig kafkaConfig;
    private List<WorkflowConfig> workflows;
    private final List<RotationProducer> running = new ArrayList<>();

    @BeforeAll
    void start() {
        kafka = KafkaClusterFactory.create();
        kafka.start();
        kafkaConfig = KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers());
        config = new ProducerConfig(0, null, List.of(
                new ApiToken("team", ApiToken.sha256Hex(TOKEN), List.of("financial-ml", "*"))), null, null);
        workflows = new ArrayList<>(RotationRequestBodyTest.workflows().values());
        topics = new StageTopics(kafka.bootstrapServers());
    }

    @AfterAll
    void stop() {
        running.forEach(RotationProducer::close);
        if (topics != null) topics.close();
        if (kafka != null) kafka.close();
    }

    private RotationProducer replica() {
        RotationProducer producer = RotationProducer.start(config, kafkaConfig, workflows, Clock.systemUTC());
        running.add(producer);
        await().atMost(Duration.ofSeconds(30)).until(producer::statusLoaded);
        return producer;
    }

    private void stop(RotationProducer producer) {
        producer.close();
        running.remove(producer);
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
        RotationProducer first = replica();
        String rotationId = rotationId(post(first, BODY, key));
        stop(first);
        int published = topics.events(EventType.REQUESTED).size();

        RotationProducer restarted = replica();
        HttpResponse<String> retry = post(restarted, BODY, key);
        assertThat(rotationId(retry)).isEqualTo(rotationId);
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(rotationId(post(restarted, SAME_BODY_OTHER_FORM, key))).as("the same request, written otherwise")
                .isEqualTo(rotationId);
        assertKeyReused(post(restarted, OTHER_BODY, key));
        assertThat(requestedEvents(rotationId)).as("the retries published nothing").isEqualTo(1);
        assertThat(topics.events(EventType.REQUESTED)).as("nor did the refused body").hasSize(published);
        stop(restarted);
    }

    @Test
    void twoReplicasAgreeOnAKeyOnceTheFirstRequestIsVisible() throws Exception {
        String key = UUID.randomUUID().toString();
        RotationProducer a = replica();
        RotationProducer b = replica();
        int before = topics.events(EventType.REQUESTED).size();
        String rotationId = rotationId(post(a, BODY, key));

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertKeyReused(post(b, OTHER_BODY, key)));
        assertThat(rotationId(post(b, BODY, key))).isEqualTo(rotationId);
        assertKeyReused(post(a, OTHER_BODY, key));
        assertThat(requestedEvents(rotationId)).isEqualTo(1);
        assertThat(topics.events(EventType.REQUESTED)).hasSize(before + 1);
        stop(a);
        stop(b);
    }

    @Test
    void twoReplicasRacingWithOneKeyAndBodyNameOneRotation() throws Exception {
        String key = UUID.randomUUID().toString();
        RotationProducer a = replica();
        RotationProducer b = replica();
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
        stop(a);
        stop(b);
    }

    @Test
    void aPlatformWideRetryAfterARestartGetsTheSameBatch() throws Exception {
        String key = UUID.randomUUID().toString();
        String request = "{\"workflow\":\"*\",\"bundles\":[\"ghcr\"],\"requestor\":\"infra@example.com\"}";
        RotationProducer first = replica();
        HttpResponse<String> accepted = post(first, request, key);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        stop(first);

        RotationProducer restarted = replica();
        HttpResponse<String> retried = post(restarted, request, key);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        JsonNode before = EventJson.mapper().readTree(accepted.body());
        JsonNode after = EventJson.mapper().readTree(retried.body());
        assertThat(after.get("batchId")).isEqualTo(before.get("batchId"));
        assertThat(ids(after)).isEqualTo(ids(before)).hasSize(2);
        assertKeyReused(post(restarted, request.replace("ghcr", "ml-platform"), key));
        stop(restarted);
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

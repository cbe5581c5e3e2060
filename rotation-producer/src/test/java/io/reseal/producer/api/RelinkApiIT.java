package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.embedded.KafkaCluster;
import io.reseal.embedded.KafkaClusterFactory;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import io.reseal.producer.support.StageTopics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /api/v1/rotations/{id}/relink} through the real server and a real broker: the token rules of finish,
 * 409 for a rotation without a package, and a relink id that one Idempotency-Key keeps stable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelinkApiIT {

    private static final String TEAM_TOKEN = "team-token-" + UUID.randomUUID();
    private static final String OTHER_TOKEN = "other-token-" + UUID.randomUUID();
    private static final String SLOW_TOKEN = "slow-token-" + UUID.randomUUID();

    private final HttpClient http = HttpClient.newHttpClient();
    private KafkaCluster kafka;
    private RotationProducer producer;
    private StageTopics topics;

    @BeforeAll
    void start() {
        kafka = KafkaClusterFactory.create();
        kafka.start();
        KafkaConfig kafkaConfig = KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers());
        ProducerConfig config = new ProducerConfig(0, null, List.of(
                new ApiToken("team", ApiToken.sha256Hex(TEAM_TOKEN), List.of("financial-ml")),
                new ApiToken("other", ApiToken.sha256Hex(OTHER_TOKEN), List.of("web")),
                new ApiToken("slow", ApiToken.sha256Hex(SLOW_TOKEN), List.of("financial-ml"), 1)), null, null);
        producer = RotationProducer.start(config, kafkaConfig,
                new ArrayList<>(RotationRequestBodyTest.workflows().values()), Clock.systemUTC());
        topics = new StageTopics(kafka.bootstrapServers());
        await().until(producer::statusLoaded);
    }

    @AfterAll
    void stop() {
        if (topics != null) topics.close();
        if (producer != null) producer.close();
        if (kafka != null) kafka.close();
    }

    @Test
    void aPackagedRotationIsRelinkedOncePerIdempotencyKeyAndTheOthersAreRefusedClearly() throws Exception {
        // given: one rotation only requested, one that failed in the sealer, one packaged
        String requested = "rot-requested-" + UUID.randomUUID();
        String failed = "rot-failed-" + UUID.randomUUID();
        String packaged = "rot-packaged-" + UUID.randomUUID();
        for (String id : List.of(requested, failed, packaged)) {
            topics.write(worker(id, EventType.REQUESTED, new RotationRequested("financial-ml", List.of("dev"),
                    List.of(), "financial-team@example.com", null, null, null)));
        }
        topics.write(worker(failed, EventType.FAILED, new RotationFailed("sealer", "unknown-bundle", "no such bundle",
                null, null, null, failed, "financial-ml")));
        topics.write(worker(packaged, EventType.PACKAGED, new RotationPackaged(packaged, "financial-ml",
                "financial-team@example.com", Trigger.AD_HOC, null, Instant.now(), "reseal",
                "financial-ml/" + packaged + "/a.tar.gz", "a.tar.gz", 10, "ab".repeat(32),
                "http://s3/a.tar.gz?X-Amz-Signature=x", Instant.now(), "fp", List.of("financial-team@example.com"),
                List.of())));
        await().until(() -> producer.statusLoaded() && relink(packaged, TEAM_TOKEN, "probe").statusCode() == 202);

        // then: the token rules
        assertThat(relink(packaged, null, null).statusCode()).isEqualTo(401);
        assertThat(relink(packaged, "not-a-token", null).statusCode()).isEqualTo(401);
        HttpResponse<String> forbidden = relink(packaged, OTHER_TOKEN, null);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("may not relink rotations of workflow 'financial-ml'");
        assertThat(relink("no-such-rotation", TEAM_TOKEN, null).statusCode()).isEqualTo(404);
        assertThat(relink(packaged, TEAM_TOKEN, "has space").statusCode()).isEqualTo(400);

        // and: no package, no relink
        HttpResponse<String> notYet = relink(requested, TEAM_TOKEN, null);
        assertThat(notYet.statusCode()).isEqualTo(409);
        assertThat(notYet.body()).contains("\"code\":\"not-packaged\"", "was not packaged yet");
        HttpResponse<String> never = relink(failed, TEAM_TOKEN, null);
        assertThat(never.statusCode()).isEqualTo(409);
        assertThat(never.body()).contains("it failed before (sealer: unknown-bundle)");

        // when: one request is retried with its key, and another is made without one
        HttpResponse<String> first = relink(packaged, TEAM_TOKEN, "key-1");
        HttpResponse<String> retried = relink(packaged, TEAM_TOKEN, "key-1");
        HttpResponse<String> unkeyed = relink(packaged, TEAM_TOKEN, null);

        // then: the retry names the same relink; the request without a key is a relink of its own
        String relinkId = RelinkData.relinkId(packaged, "team\nkey-1");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.body()).contains("\"relinkId\":\"" + relinkId + "\"", "\"status\":\"relink-requested\"");
        assertThat(retried.body()).isEqualTo(first.body());
        assertThat(unkeyed.statusCode()).isEqualTo(202);
        assertThat(unkeyed.body()).doesNotContain(relinkId);
        List<RotationEvent<?>> asked = topics.events(EventType.RELINK_REQUESTED);
        assertThat(asked).filteredOn(e -> relinkId.equals(RelinkData.of(e))).hasSize(2).allSatisfy(e -> {
            assertThat(e.id()).isEqualTo(relinkId + ".relink_requested");
            assertThat(e.rotationId()).isEqualTo(packaged);
            assertThat(e.dataAs(RotationRelinkRequested.class).requestedBy()).isEqualTo("team");
        });
        assertThat(asked).extracting(RotationEvent::rotationId).containsOnly(packaged);

        // and: each relink mails people, so a token's requestsPerMinute bounds them
        assertThat(relink(packaged, SLOW_TOKEN, null).statusCode()).isEqualTo(202);
        HttpResponse<String> tooMany = relink(packaged, SLOW_TOKEN, null);
        assertThat(tooMany.statusCode()).isEqualTo(429);
        assertThat(tooMany.headers().firstValue("Retry-After")).isPresent();
    }

    private HttpResponse<String> relink(String rotationId, String token, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + producer.port()
                + "/api/v1/rotations/" + rotationId + "/relink")).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) request.header("Authorization", "Bearer " + token);
        if (key != null) request.header("Idempotency-Key", key);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static <D> RotationEvent<D> worker(String rotationId, EventType type, D data) {
        return RotationEvent.forRotation(rotationId, type, "/reseal/test-worker", "financial-ml",
                OffsetDateTime.now(ZoneOffset.UTC), data);
    }
}

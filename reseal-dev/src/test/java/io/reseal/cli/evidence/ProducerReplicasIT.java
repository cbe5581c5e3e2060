package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.producer.RotationProducer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md, "nothing is done twice where it shows", with two producer replicas and a producer restart: one
 * request sent with one {@code Idempotency-Key} to both replicas at once, its event published once more (as two
 * racing replicas may), and the request retried after a restart, is one rotation: one sealed, packaged and
 * notified event and one mail per recipient; the same key with another body is refused by every replica.
 */
@Timeout(300)
class ProducerReplicasIT {

    private static final String BODY = """
            {"workflow":"financial-ml","environments":["dev"],"requestor":"financial-team@example.com"}""";
    private static final String OTHER_BODY = """
            {"workflow":"financial-ml","environments":["dev","production"],"requestor":"financial-team@example.com"}""";

    @TempDir
    static Path dir;
    static EvidenceStack stack;

    @BeforeAll
    static void start() {
        stack = EvidenceStack.start(dir, false, Set.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    private static HttpResponse<String> post(RotationProducer to, String body, String key) {
        try {
            Map<String, String> headers = Map.of("Idempotency-Key", key);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return to == null ? stack.post(bytes, "application/json", EvidenceStack.TOKEN, headers)
                    : stack.post(to, bytes, "application/json", EvidenceStack.TOKEN, headers);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
    }

    private static long eventsOf(EventType type, String rotationId) {
        return stack.events(type).stream().map(RotationEvent::rotationId).filter(rotationId::equals).count();
    }

    @Test
    void oneRequestOnTwoReplicasPublishedTwiceAndRetriedAfterARestartIsOneRotationAndOneMail() throws Exception {
        RotationProducer replica = stack.producerReplica();
        String key = UUID.randomUUID().toString();

        // when: the same request reaches both replicas at once
        CompletableFuture<HttpResponse<String>> onFirst = CompletableFuture.supplyAsync(() -> post(null, BODY, key));
        CompletableFuture<HttpResponse<String>> onReplica = CompletableFuture.supplyAsync(() -> post(replica, BODY, key));
        String rotationId = rotationId(onFirst.get());
        assertThat(rotationId(onReplica.get())).isEqualTo(rotationId);
        await().atMost(Duration.ofSeconds(90)).until(() -> stack.notified(rotationId));
        // and its requested event is on the topic once more, as when both replicas published before seeing the other
        ConsumerRecord<String, byte[]> original = stack.records(EventType.REQUESTED).stream()
                .filter(r -> r.value() != null && new String(r.value(), StandardCharsets.UTF_8).contains(rotationId))
                .findFirst().orElseThrow();
        stack.sendRaw(stack.topic(EventType.REQUESTED), original.key(), original.value(), Map.of());
        // and the producer restarts, and the client retries
        stack.restartProducer();
        HttpResponse<String> retried = post(null, BODY, key);
        assertThat(rotationId(retried)).isEqualTo(rotationId);
        assertThat(retried.headers().firstValue("Idempotent-Replayed")).hasValue("true");

        // then: the same key with another body is refused everywhere, and publishes nothing
        assertKeyReused(post(null, OTHER_BODY, key));
        assertKeyReused(post(replica, OTHER_BODY, key));
        // a rotation requested after all of them, on the same partition, is done only after the duplicates were seen
        String later = stack.rotate(EvidenceStack.FINANCIAL, List.of("dev"), EvidenceStack.FINANCIAL_REQUESTOR,
                Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(90)).until(() -> stack.notified(later));
        assertThat(eventsOf(EventType.REQUESTED, rotationId)).as("requested events").isBetween(2L, 3L);
        assertThat(eventsOf(EventType.SEALED, rotationId)).as("sealed").isEqualTo(1);
        assertThat(eventsOf(EventType.PACKAGED, rotationId)).as("packaged").isEqualTo(1);
        assertThat(eventsOf(EventType.NOTIFIED, rotationId)).as("notified").isEqualTo(1);
        assertThat(stack.failuresOf(rotationId)).isEmpty();
        RotationNotified notified = stack.events(EventType.NOTIFIED).stream()
                .filter(e -> rotationId.equals(e.rotationId())).findFirst().orElseThrow().dataAs(RotationNotified.class);
        assertThat(stack.mails()).filteredOn(m -> String.join("\n", m.decodedParts()).contains(rotationId))
                .as("one mail per recipient").hasSize(notified.recipients().size());
    }
}

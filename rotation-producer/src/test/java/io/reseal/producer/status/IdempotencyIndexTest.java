package io.reseal.producer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.embedded.MutableClock;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RequestIdempotency;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.publish.RequestPublisher;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdempotencyIndexTest {

    private static final RequestIdempotency KEY = new RequestIdempotency("a".repeat(64), "b".repeat(64));
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T09:00:00Z"));
    private final IdempotencyIndex index = new IdempotencyIndex(clock);

    private RotationEvent<RotationRequested> requested(String rotationId, String source, String workflow,
                                                       RequestIdempotency idempotency, String batchId) {
        RotationRequested request = new RotationRequested(workflow, List.of("dev"), List.of(), "a@example.com", null,
                Trigger.AD_HOC, batchId, idempotency);
        return RotationEvent.forRotation(rotationId, EventType.REQUESTED, source, workflow,
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), request);
    }

    @Test
    void aRequestWhoseIdsAreDerivedFromItsKeyIsRemembered() {
        String id = IdempotencyIndex.rotationId(KEY, "financial-ml");
        index.learn(requested(id, RequestPublisher.SOURCE, "financial-ml", KEY, null), clock.instant());

        assertThat(index.requests(KEY.keySha256())).containsOnlyKeys(KEY.requestSha256());
        assertThat(index.requests(KEY.keySha256()).get(KEY.requestSha256()).rotationByWorkflow())
                .isEqualTo(Map.of("financial-ml", id));
        assertThat(index.requests("c".repeat(64))).isEmpty();
    }

    @Test
    void anEventClaimingAKeyWithAnotherRotationIdOrSourceCountsForNothing() {
        index.learn(requested("forged-id", RequestPublisher.SOURCE, "financial-ml", KEY, null), clock.instant());
        index.learn(requested(IdempotencyIndex.rotationId(KEY, "financial-ml"), "/hostile", "financial-ml", KEY, null),
                clock.instant());
        index.learn(requested(IdempotencyIndex.rotationId(KEY, "web"), RequestPublisher.SOURCE, "financial-ml", KEY, null),
                clock.instant());

        assertThat(index.requests(KEY.keySha256())).isEmpty();
    }

    @Test
    void thePlatformWideRequestsOfOneKeyMakeOneBatch() {
        String batch = IdempotencyIndex.batchId(KEY);
        for (String workflow : List.of("web", "financial-ml")) {
            index.learn(requested(IdempotencyIndex.rotationId(KEY, workflow), RequestPublisher.SOURCE, workflow, KEY, batch),
                    clock.instant());
        }
        index.learn(requested(IdempotencyIndex.rotationId(KEY, "fraud-ml"), RequestPublisher.SOURCE, "fraud-ml", KEY,
                "another-batch"), clock.instant());

        IdempotencyIndex.Accepted accepted = index.requests(KEY.keySha256()).get(KEY.requestSha256());
        assertThat(accepted.batchId()).isEqualTo(batch);
        assertThat(accepted.rotationByWorkflow()).containsOnlyKeys("web", "financial-ml");
    }

    @Test
    void aKeyIsForgottenAfterTheWindow() {
        index.learn(requested(IdempotencyIndex.rotationId(KEY, "financial-ml"), RequestPublisher.SOURCE, "financial-ml",
                KEY, null), clock.instant());
        clock.advance(IdempotencyIndex.WINDOW.minus(Duration.ofMinutes(1)));
        assertThat(index.requests(KEY.keySha256())).hasSize(1);

        clock.advance(Duration.ofMinutes(2));
        assertThat(index.requests(KEY.keySha256())).isEmpty();
        assertThat(index.size()).isZero();

        index.learn(requested(IdempotencyIndex.rotationId(KEY, "financial-ml"), RequestPublisher.SOURCE, "financial-ml",
                KEY, null), clock.instant().minus(IdempotencyIndex.WINDOW).minusSeconds(1));
        assertThat(index.size()).as("an event read back from before the window").isZero();
    }
}

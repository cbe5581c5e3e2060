package io.reseal.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinished;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class RotationLedgerTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.defaults();

    @Test
    void anEventBesideTheStagesOnTheOutputTopicDoesNotMarkItsRotationDone() {
        // given: on the finished topic, a held-back finish of r1 and the finish of r2
        List<ConsumerRecord<String, byte[]>> tail = new ArrayList<>(List.of(
                record(RotationEvent.forRotation("r1", EventType.FINISH_DEFERRED, "/test", "financial-ml", time(),
                        new RotationFinishDeferred("r1", "financial-ml", "mlflow-db", "mlflow_app_a", 1, T0))),
                record(RotationEvent.forRotation("r2", EventType.FINISHED, "/test", "financial-ml", time(),
                        new RotationFinished("r2", "financial-ml", List.of())))));
        List<RotationEvent<?>> seen = new ArrayList<>();
        RotationLedger ledger = new RotationLedger(() -> {
            List<ConsumerRecord<String, byte[]>> next = List.copyOf(tail);
            tail.clear();
            return next;
        }, seen::add);

        // when
        ledger.catchUp();

        // then: the finisher still finishes r1; both events reach the history
        assertThat(ledger.isDone("r1")).isFalse();
        assertThat(ledger.isDone("r2")).isTrue();
        assertThat(seen).extracting(RotationEvent::type).containsExactly(EventType.FINISH_DEFERRED, EventType.FINISHED);
    }

    private ConsumerRecord<String, byte[]> record(RotationEvent<?> event) {
        String topic = topics.of(event.type());
        return new ConsumerRecord<>(topic, 0, 0, event.subject(), codec.toRecord(topic, event).value());
    }

    private static OffsetDateTime time() {
        return OffsetDateTime.ofInstant(T0, ZoneOffset.UTC);
    }
}

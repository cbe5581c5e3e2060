package io.reseal.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRelinked;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A stage that counts by request ({@link StageHandler#doneKey}): the relinks of one rotation are each done once, and
 * none of them makes the rotation itself done, in the ledger read from the output topic as in the loop.
 */
class RelinkLedgerTest {

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.defaults();

    /** Counts like the packager's relinker. */
    private final StageHandler relinker = new StageHandler() {
        @Override
        public String stage() {
            return RelinkData.RELINKER;
        }

        @Override
        public EventType consumes() {
            return EventType.RELINK_REQUESTED;
        }

        @Override
        public List<RotationEvent<?>> handle(RotationEvent<?> event) {
            return List.of();
        }

        @Override
        public String doneKey(RotationEvent<?> event) {
            return RelinkData.of(event);
        }
    };

    @Test
    void eachRelinkOnTheOutputTopicIsDoneOnItsOwnAndTheRotationIsNot() {
        String first = RelinkData.relinkId("rot-1", "team\nkey-1");
        String second = RelinkData.relinkId("rot-1", "team\nkey-2");
        List<ConsumerRecord<String, byte[]>> output = List.of(record(relinked(first)));

        RotationLedger ledger = new RotationLedger(() -> output, event -> { }, relinker::doneKey);
        ledger.catchUp();

        assertThat(ledger.isDone(relinker.doneKey(requested(first)))).isTrue();
        assertThat(ledger.isDone(relinker.doneKey(requested(second)))).isFalse();
        assertThat(ledger.isDone("rot-1")).isFalse();
    }

    @Test
    void aStageCountingRotationsIgnoresRelinksOnItsOutputTopic() {
        RotationLedger ledger = new RotationLedger(() -> List.of(record(relinked(RelinkData.relinkId("rot-1", "k")))),
                event -> { });
        ledger.catchUp();
        assertThat(ledger.size()).isZero();
    }

    @Test
    void oneRotationAndOneRequestKeyAlwaysGiveTheSameRelinkIdAndAnotherKeyAnother() {
        assertThat(RelinkData.relinkId("rot-1", "team\nkey-1")).isEqualTo(RelinkData.relinkId("rot-1", "team\nkey-1"))
                .startsWith("rot-1.relink.")
                .isNotEqualTo(RelinkData.relinkId("rot-1", "team\nkey-2"))
                .isNotEqualTo(RelinkData.relinkId("rot-2", "team\nkey-1"));
        assertThat(requested(RelinkData.relinkId("rot-1", "k")).type().isStage()).isFalse();
    }

    private ConsumerRecord<String, byte[]> record(RotationEvent<?> event) {
        String topic = topics.of(event.type());
        return new ConsumerRecord<>(topic, 0, 0, event.subject(), codec.toRecord(topic, event).value());
    }

    private static RotationEvent<RotationRelinkRequested> requested(String relinkId) {
        return RelinkData.event(EventType.RELINK_REQUESTED, "/test", OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRelinkRequested("rot-1", "financial-ml", relinkId, "team"));
    }

    private static RotationEvent<RotationRelinked> relinked(String relinkId) {
        return RelinkData.event(EventType.RELINKED, "/test", OffsetDateTime.now(ZoneOffset.UTC), new RotationRelinked(
                "rot-1", "financial-ml", relinkId, "team", "a.tar.gz", 10, "ab".repeat(32),
                "http://s3/a.tar.gz?X-Amz-Signature=x", Instant.now(), List.of("team@example.com")));
    }
}

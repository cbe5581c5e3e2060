package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The committed events of some event types' topics, for a sealer-side view of history, read from the beginning in
 * steps through one consumer kept open ({@link TopicScanner#follow}): each {@link #catchUp} hands only the events
 * committed since the previous one, up to the end offsets as they are at that call, so that everything committed
 * before it is seen. A record that is not a valid event is passed over: not ours to judge here, the stage that
 * consumes the topic reports it. Not thread-safe: one caller at a time.
 */
final class CommittedEvents implements AutoCloseable {

    /** How long one catch-up may take. */
    static final Duration PATIENCE = Duration.ofMinutes(2);

    private final Map<String, EventType> typeByTopic = new HashMap<>();
    private final TopicScanner.Follower follower;
    private final EventCodec codec = new EventCodec();

    /** @param types whose topics to read (types with topics of their own: {@link Topics} gives each its own name) */
    CommittedEvents(KafkaClients clients, Topics topics, EventType... types) {
        for (EventType type : types) typeByTopic.put(topics.of(type), type);
        this.follower = new TopicScanner(clients).follow(List.copyOf(typeByTopic.keySet()));
    }

    /**
     * Hands each valid event committed since the previous call, in offset order per partition, with the event type
     * whose topic it was read from and when Kafka took it.
     */
    void catchUp(Handler handler) {
        for (ConsumerRecord<String, byte[]> record : follower.next(PATIENCE)) {
            RotationEvent<?> event;
            try {
                event = codec.fromRecord(record);
            } catch (InvalidEventException e) {
                continue;
            }
            handler.accept(typeByTopic.get(record.topic()), event, Instant.ofEpochMilli(record.timestamp()));
        }
    }

    /** Takes one committed event. */
    interface Handler {
        void accept(EventType topic, RotationEvent<?> event, Instant at);
    }

    @Override
    public void close() {
        follower.close();
    }
}

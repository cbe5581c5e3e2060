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
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The committed events of an event type's topic, read from the beginning ({@link TopicScanner#readAll}) for a
 * sealer-side view of history. A record that is not a valid event is passed over: not ours to judge here, the
 * stage that consumes the topic reports it. Thread-safe.
 */
final class CommittedEvents {

    /** How long one scan of a topic may take. */
    static final Duration PATIENCE = Duration.ofMinutes(2);

    private final TopicScanner scanner;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();

    CommittedEvents(KafkaClients clients, Topics topics) {
        this.scanner = new TopicScanner(clients);
        this.topics = topics;
    }

    /** Hands each valid event of {@code type}'s topic, in offset order per partition, and when Kafka took it. */
    void forEach(EventType type, BiConsumer<RotationEvent<?>, Instant> action) {
        for (ConsumerRecord<String, byte[]> record : scanner.readAll(topics.of(type), PATIENCE)) {
            RotationEvent<?> event;
            try {
                event = codec.fromRecord(record);
            } catch (InvalidEventException e) {
                continue;
            }
            action.accept(event, Instant.ofEpochMilli(record.timestamp()));
        }
    }
}

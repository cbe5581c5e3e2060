package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The rotations a stage has already finished, so that a second request for the same rotation (a
 * duplicate record, two scheduler replicas firing the same instant, a replay) does nothing visible.
 * Loaded at start-up from the stage's output topic and kept up to date as the worker publishes.
 * Thread-safe. Memory grows with the number of rotations in the output topic's retention.
 */
public final class RotationLedger {

    private final Set<String> done = ConcurrentHashMap.newKeySet();

    /** An empty ledger (nothing done yet). */
    public RotationLedger() {}

    /** The rotations with a committed event on {@code outputTopic}. */
    public static RotationLedger load(KafkaClients clients, String outputTopic) {
        return load(clients, outputTopic, event -> { });
    }

    /**
     * The same, and every event read is also handed to {@code history}, so a stage that learns more from
     * its own past output (the sealer: which certificates it sealed with) reads the topic only once.
     */
    public static RotationLedger load(KafkaClients clients, String outputTopic, Consumer<RotationEvent<?>> history) {
        RotationLedger ledger = new RotationLedger();
        EventCodec codec = new EventCodec();
        for (ConsumerRecord<String, byte[]> record : new TopicScanner(clients).readAll(outputTopic, Duration.ofMinutes(2))) {
            try {
                RotationEvent<?> event = codec.fromRecord(record);
                ledger.markDone(event.rotationId());
                history.accept(event);
            } catch (InvalidEventException e) {
                // Not ours to judge here; the stage that reads this topic reports it.
            }
        }
        return ledger;
    }

    public boolean isDone(String rotationId) {
        return rotationId != null && done.contains(rotationId);
    }

    public void markDone(String rotationId) {
        if (rotationId != null) done.add(rotationId);
    }

    public int size() {
        return done.size();
    }
}

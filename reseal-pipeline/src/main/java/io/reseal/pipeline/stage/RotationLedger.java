package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The rotations a stage has already finished, so that a second request for the same rotation (a
 * duplicate record, two scheduler replicas firing the same instant, a replay) does nothing visible; or, for a stage
 * that counts by request ({@link StageHandler#doneKey}), the requests it finished.
 * Loaded at start-up from the stage's output topic, kept up to date as the worker publishes, and caught up
 * with what other replicas published ({@link #catchUp()}) whenever the worker is assigned partitions.
 * Thread-safe. Memory grows with the number of rotations in the output topic's retention.
 */
public final class RotationLedger {

    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final EventCodec codec = new EventCodec();
    private final Supplier<List<ConsumerRecord<String, byte[]>>> tail;
    private final Consumer<RotationEvent<?>> history;
    private final Function<RotationEvent<?>, String> doneKey;

    /** An empty ledger (nothing done yet) that learns only from its own worker: {@link #catchUp()} does nothing. */
    public RotationLedger() {
        this(List::of, event -> { });
    }

    /**
     * An empty ledger that learns, on each {@link #catchUp()}, the records {@code tail} returns: those committed on
     * the output topic since its previous call; each stage event marks its rotation done. Each event read is also
     * handed to {@code history}.
     */
    public RotationLedger(Supplier<List<ConsumerRecord<String, byte[]>>> tail, Consumer<RotationEvent<?>> history) {
        this(tail, history, RotationLedger::byRotation);
    }

    /** The same, and each event read marks {@code doneKey} of it done ({@code null}: nothing). */
    public RotationLedger(Supplier<List<ConsumerRecord<String, byte[]>>> tail, Consumer<RotationEvent<?>> history,
                          Function<RotationEvent<?>, String> doneKey) {
        this.tail = tail;
        this.history = history;
        this.doneKey = doneKey;
    }

    /**
     * What a stage event marks done by default: its rotation (each stage does a rotation once); {@code null} (nothing)
     * for the events told beside the stages.
     */
    public static String byRotation(RotationEvent<?> event) {
        return event.type().isStage() ? event.rotationId() : null;
    }

    /** The rotations with a committed event on {@code outputTopic}. */
    public static RotationLedger load(KafkaClients clients, String outputTopic) {
        return load(clients, outputTopic, event -> { });
    }

    /**
     * The same, and every event read is also handed to {@code history}, so a stage that learns more from
     * its own past output (the sealer: which certificates it sealed with) reads the topic only once. Later
     * {@link #catchUp()} calls read only what was committed since.
     */
    public static RotationLedger load(KafkaClients clients, String outputTopic, Consumer<RotationEvent<?>> history) {
        return load(clients, outputTopic, history, RotationLedger::byRotation);
    }

    /** The same, counting done what {@code doneKey} says of each event ({@link StageHandler#doneKey}). */
    public static RotationLedger load(KafkaClients clients, String outputTopic, Consumer<RotationEvent<?>> history,
                                      Function<RotationEvent<?>, String> doneKey) {
        TopicScanner.Tail tail = new TopicScanner(clients).tail(outputTopic);
        RotationLedger ledger = new RotationLedger(() -> tail.next(Duration.ofMinutes(2)), history, doneKey);
        ledger.catchUp();
        return ledger;
    }

    /**
     * Reads what was committed on the output topic since the last call and marks those rotations (or requests)
     * done. By default an event told beside the stages ({@link io.reseal.pipeline.event.EventType#isStage()} false,
     * such as a deferred finish on the finished topic) marks nothing: it does not say the stage did its work.
     */
    public void catchUp() {
        for (ConsumerRecord<String, byte[]> record : tail.get()) {
            try {
                RotationEvent<?> event = codec.fromRecord(record);
                markDone(doneKey.apply(event));
                history.accept(event);
            } catch (InvalidEventException e) {
                // Not ours to judge here; the stage that reads this topic reports it.
            }
        }
    }

    /** Whether {@code key} (a rotation id, or a request's for a stage that counts by request) is done. */
    public boolean isDone(String key) {
        return key != null && done.contains(key);
    }

    public void markDone(String key) {
        if (key != null) done.add(key);
    }

    public int size() {
        return done.size();
    }
}

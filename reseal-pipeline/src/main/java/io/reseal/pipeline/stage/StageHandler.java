package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import java.util.List;

/**
 * The work of one pipeline stage: one input event in, the events to publish out. The {@link StageWorker}
 * publishes the returned events and commits the input's offset in one Kafka transaction, so a handler
 * sees an event again only if its outputs were not published. Handlers therefore make every side effect
 * outside Kafka idempotent (stable object keys, dedupe by rotation id).
 *
 * <p>Failure contract: throw {@link RetriableStageException} when trying again later may succeed (a
 * server is down); throw {@link PermanentStageException} when it never will (bad input, a missing
 * source). Any other exception is treated as permanent for that record and reported with its class.
 * Handlers are called from one thread at a time, unless the stage's concurrency ({@link Batching#concurrency()},
 * {@code kafka.concurrency.<stage>}) is above 1: then from up to that many threads at once, but never for two
 * events with the same {@link #doneKey} at once.
 */
public interface StageHandler {

    /** The stage's name as it appears in failed records and logs: {@code sealer}, {@code packager}, ... */
    String stage();

    /** The event type this stage consumes. */
    EventType consumes();

    /** Handles one event and returns what to publish (possibly nothing). */
    List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException;

    /**
     * Whether the records in hand must be committed before the next records are handled: a batch is then only as
     * large as the stage's concurrency ({@link Batching#inHand()}; one record by default). A stage whose side effect
     * cannot be made idempotent (an e-mail: SMTP has no way to say "already sent") says so, so that a crash can
     * repeat at most the records in hand, not a whole batch. Default: batches.
     */
    default boolean commitsEachRecord() {
        return false;
    }

    /**
     * What the {@link RotationLedger} counts as done once, for an event this stage reads, writes, or finds on its
     * output topic: by default the rotation of a stage event (each stage does a rotation once), {@code null} (marks
     * nothing) for the events told beside the stages. A stage that acts on one rotation many times, once per
     * request (a relink), counts by the request instead.
     */
    default String doneKey(RotationEvent<?> event) {
        return RotationLedger.byRotation(event);
    }
}

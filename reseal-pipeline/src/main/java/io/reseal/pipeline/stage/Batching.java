package io.reseal.pipeline.stage;

import java.time.Duration;

/**
 * How much a {@link StageWorker} puts into one transaction: at most {@code maxRecords} input records, and no record
 * taken into it once {@code maxDuration} has passed since its first. A batch also ends with its poll. Within a batch
 * the handler works on up to {@code concurrency} records at once ({@code 1}: one after the other). Immutable.
 */
public record Batching(int maxRecords, Duration maxDuration, int concurrency) {

    public static final Batching DEFAULT = new Batching(50, Duration.ofMillis(500));

    /** One record at a time. */
    public Batching(int maxRecords, Duration maxDuration) {
        this(maxRecords, maxDuration, 1);
    }

    public Batching {
        if (maxRecords < 1) throw new IllegalArgumentException("kafka.maxBatchRecords must be >= 1");
        if (maxDuration.isNegative()) throw new IllegalArgumentException("kafka.maxBatchDuration must not be negative");
        if (concurrency < 1) throw new IllegalArgumentException("kafka.concurrency must be >= 1, not " + concurrency);
    }

    public Batching withConcurrency(int concurrency) {
        return new Batching(maxRecords, maxDuration, concurrency);
    }

    /**
     * Batches of only the records in hand (at most {@code concurrency}), for a stage whose side effect cannot be made
     * idempotent ({@link StageHandler#commitsEachRecord()}): a crash repeats at most that many.
     */
    public Batching inHand() {
        return new Batching(concurrency, maxDuration, concurrency);
    }
}

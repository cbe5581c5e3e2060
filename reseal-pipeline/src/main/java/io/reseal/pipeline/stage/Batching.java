package io.reseal.pipeline.stage;

import java.time.Duration;

/**
 * How much a {@link StageWorker} puts into one transaction: at most {@code maxRecords} input records, and no record
 * taken into it once {@code maxDuration} has passed since its first. A batch also ends with its poll. Immutable.
 */
public record Batching(int maxRecords, Duration maxDuration) {

    public static final Batching DEFAULT = new Batching(50, Duration.ofMillis(500));

    /** One record per transaction (see {@link StageHandler#commitsEachRecord()}). */
    public static final Batching ONE_AT_A_TIME = new Batching(1, Duration.ZERO);

    public Batching {
        if (maxRecords < 1) throw new IllegalArgumentException("kafka.maxBatchRecords must be >= 1");
        if (maxDuration.isNegative()) throw new IllegalArgumentException("kafka.maxBatchDuration must not be negative");
    }
}

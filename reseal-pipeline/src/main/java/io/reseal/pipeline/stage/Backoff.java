package io.reseal.pipeline.stage;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter, capped, and a deadline after which a retriable failure is
 * given up. Immutable and thread-safe.
 *
 * @param initial the first delay (before jitter)
 * @param max the largest delay
 * @param deadline how long after the first failure of a record to keep trying
 */
public record Backoff(Duration initial, Duration max, Duration deadline) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(5));

    public Backoff {
        if (initial.isNegative() || initial.isZero()) throw new IllegalArgumentException("backoff initial must be > 0");
        if (max.compareTo(initial) < 0) throw new IllegalArgumentException("backoff max must be >= initial");
        if (deadline.isNegative()) throw new IllegalArgumentException("retry deadline must be >= 0");
    }

    /** The delay before attempt {@code attempt + 1} (attempt counts from 1): random in [d/2, d]. */
    public Duration delay(int attempt) {
        long base = initial.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(base, max.toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}

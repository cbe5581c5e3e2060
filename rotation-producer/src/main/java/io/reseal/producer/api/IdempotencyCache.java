package io.reseal.producer.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this replica answered to each {@code Idempotency-Key} (per token) in the last 24 hours, so a retried
 * POST gets the same rotations without publishing again, and a key reused with another body is refused.
 * A retry that arrives while the first attempt is still publishing waits for its answer. A failed attempt
 * is forgotten, so it can be retried. Holds at most {@value #MAX_ENTRIES} keys, dropping the oldest.
 * Thread-safe.
 *
 * <p>Across replicas and restarts the guarantee comes from the rotation ids instead: they are derived from
 * the token's name and the key, so a retry elsewhere publishes the same event id, which the sealer dedupes.
 */
final class IdempotencyCache {

    static final int MAX_ENTRIES = 10_000;
    private static final Duration TTL = Duration.ofHours(24);

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    IdempotencyCache(Clock clock) {
        this.clock = clock;
    }

    /** The answer in progress or given for this key, or {@code null} if the caller should start one. */
    record Entry(Object fingerprint, Instant created, CompletableFuture<byte[]> answer) {}

    /**
     * Claims {@code key} for a request with {@code fingerprint}: returns {@code null} if the caller now owns
     * the key and must complete {@code answer}, or the entry that already holds it.
     */
    Entry claim(String key, Object fingerprint, CompletableFuture<byte[]> answer) {
        evict();
        Entry mine = new Entry(fingerprint, clock.instant(), answer);
        Entry existing = entries.putIfAbsent(key, mine);
        if (existing == null) {
            answer.whenComplete((ok, error) -> {
                if (error != null) {
                    entries.remove(key, mine);
                }
            });
        }
        return existing;
    }

    private void evict() {
        Instant oldest = clock.instant().minus(TTL);
        entries.values().removeIf(e -> e.created().isBefore(oldest));
        while (entries.size() >= MAX_ENTRIES) {
            entries.entrySet().stream()
                    .min(Comparator.comparing(e -> e.getValue().created()))
                    .ifPresent(e -> entries.remove(e.getKey(), e.getValue()));
        }
    }
}

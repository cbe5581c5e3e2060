package io.reseal.producer.api;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests with an {@code Idempotency-Key} this replica is publishing right now, by key hash: a retry that
 * arrives meanwhile waits for the first attempt's answer instead of publishing again, and the same key with
 * another request is refused. An attempt leaves once it is answered, successfully or not; from then on the
 * {@link io.reseal.producer.status.IdempotencyIndex} (fed by the requested topic) knows a published one, and a
 * failed one may be retried. Thread-safe.
 */
final class InFlightRequests {

    private final Map<String, Attempt> attempts = new ConcurrentHashMap<>();

    /** An attempt being published: the request's hash, and its answer to come. */
    record Attempt(String requestSha256, CompletableFuture<byte[]> answer) {}

    /**
     * Claims {@code keySha256} for the request of hash {@code requestSha256}: returns {@code null} if the caller
     * now owns it and must complete {@code answer}, or the attempt that already holds it.
     */
    Attempt claim(String keySha256, String requestSha256, CompletableFuture<byte[]> answer) {
        Attempt mine = new Attempt(requestSha256, answer);
        Attempt existing = attempts.putIfAbsent(keySha256, mine);
        if (existing == null) {
            answer.whenComplete((ok, error) -> attempts.remove(keySha256, mine));
        }
        return existing;
    }
}

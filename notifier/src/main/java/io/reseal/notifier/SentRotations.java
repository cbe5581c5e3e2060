package io.reseal.notifier;

import io.reseal.notifier.mail.EmailAddress;
import io.reseal.pipeline.event.RotationEvent;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rotations this notifier has already mailed, so that a redelivered {@code packaged} event does not
 * mail anyone a second time. Thread-safe; in memory only.
 *
 * <p>At start-up, before the stage consumes, the worker rebuilds it by calling {@link #markSent} with
 * the rotation id of every event on the {@code reseal.rotation.notified} topic (read committed): those
 * rotations are skipped without output. While running, the stage also remembers the events it returned
 * for each rotation it mailed; if the same input comes back (its outputs were not published), it returns
 * those same events again instead of mailing, and it remembers who already got the mail when a send
 * failed half-way, so a retry only goes to the others.
 *
 * <p>What this cannot cover: a worker that crashes after the SMTP server took the mail but before the
 * {@code notified} event was committed mails that rotation again after restart (with the same
 * {@code Message-ID}, which mail clients use to spot the duplicate).
 */
public final class SentRotations {

    private final Set<String> published = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, List<RotationEvent<?>>> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> partiallyDelivered = new ConcurrentHashMap<>();

    /** Records that the notification of {@code rotationId} was sent and its event published. Idempotent. */
    public void markSent(String rotationId) {
        published.add(rotationId);
    }

    /** Whether {@code rotationId} was mailed, by this process or (per {@link #markSent}) an earlier one. */
    public boolean isSent(String rotationId) {
        return published.contains(rotationId) || outcomes.containsKey(rotationId);
    }

    /** The events returned when this process mailed {@code rotationId}, if it did. */
    Optional<List<RotationEvent<?>>> outcomeOf(String rotationId) {
        return Optional.ofNullable(outcomes.get(rotationId));
    }

    void recordOutcome(String rotationId, List<RotationEvent<?>> events) {
        outcomes.put(rotationId, List.copyOf(events));
        partiallyDelivered.remove(rotationId);
    }

    /** Keys ({@link EmailAddress#key()}) of the recipients who already got the mail of a rotation whose send is unfinished. */
    Set<String> deliveredSoFar(String rotationId) {
        return Set.copyOf(partiallyDelivered.getOrDefault(rotationId, Set.of()));
    }

    void recordDelivered(String rotationId, List<EmailAddress> recipients) {
        Set<String> keys = partiallyDelivered.computeIfAbsent(rotationId, id -> ConcurrentHashMap.newKeySet());
        recipients.forEach(r -> keys.add(r.key()));
    }
}

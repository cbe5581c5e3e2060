package io.reseal.notifier;

import io.reseal.notifier.mail.EmailAddress;
import io.reseal.pipeline.event.RotationEvent;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this process has already mailed for each rotation, so that handling the same {@code packaged} event
 * again before its outputs are committed mails nobody a second time. Thread-safe; in memory only.
 *
 * <p>Two things are remembered: who already got the mail when a send failed half-way (a retry then only
 * goes to the others), and, once a send is finished, the events the stage returned (if the stage loop
 * could not publish them, handling the event again returns those same events instead of mailing).
 *
 * <p>Rotations whose {@code notified} event is committed, also by an earlier process, never reach the
 * stage again: the stage loop's {@link io.reseal.pipeline.stage.RotationLedger} skips them. What neither
 * covers: a worker that crashes after the SMTP server took the mail but before the {@code notified} event
 * was committed mails that rotation again after restart (with the same {@code Message-ID}, which mail
 * clients use to spot the duplicate).
 */
public final class DeliveryProgress {

    private final ConcurrentHashMap<String, List<RotationEvent<?>>> outcomes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> partiallyDelivered = new ConcurrentHashMap<>();

    /** The events returned when this process finished mailing {@code rotationId}, if it did. */
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

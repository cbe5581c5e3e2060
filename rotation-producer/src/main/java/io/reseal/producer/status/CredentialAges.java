package io.reseal.producer.status;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationRequested;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each workflow's bundle was last delivered: the latest {@code notified} time of a rotation that renewed that
 * bundle in every environment of the workflow that receives it. A rotation of some environments only (say
 * {@code dev}) does not renew the credential the others still run, so it does not count. Built from the requested
 * and notified events the {@link RotationStatusView} reads, in any order. Thread-safe; memory grows with the
 * rotations the topics retain (two small entries each).
 */
public final class CredentialAges {

    private final Map<String, RotationRequested> requested = new ConcurrentHashMap<>();
    private final Map<String, Instant> notified = new ConcurrentHashMap<>();

    /** Takes a requested or notified event into account; ignores any other. */
    void record(RotationEvent<?> event, String rotationId) {
        if (event.data() instanceof RotationRequested request) {
            requested.putIfAbsent(rotationId, request);
        } else if (event.data() instanceof RotationNotified sent) {
            Instant at = sent.sentAt() != null ? sent.sentAt() : event.time().toInstant();
            notified.merge(rotationId, at, (a, b) -> a.isBefore(b) ? a : b);
        }
    }

    /** When {@code bundle} of {@code workflow} was last delivered to all its environments, if ever (as far as retained). */
    public Optional<Instant> lastDelivered(WorkflowConfig workflow, String bundle) {
        List<String> receiving = workflow.environments().entrySet().stream()
                .filter(e -> e.getValue().bundles().contains(bundle)).map(Map.Entry::getKey).toList();
        Instant last = null;
        for (Map.Entry<String, Instant> sent : notified.entrySet()) {
            RotationRequested request = requested.get(sent.getKey());
            if (request == null || !request.workflow().equals(workflow.name())
                    || !(request.bundles().isEmpty() || request.bundles().contains(bundle))
                    || !(request.environments().isEmpty() || request.environments().containsAll(receiving))) {
                continue;
            }
            last = last == null || sent.getValue().isAfter(last) ? sent.getValue() : last;
        }
        return Optional.ofNullable(last);
    }
}

package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * Data of {@code io.reseal.rotation.requested.v1}: please rotate the credentials of one workflow.
 * Only {@code workflow} and {@code requestor} are required; empty lists mean "all subscribed".
 * {@code idempotency} is set only by the HTTP API, for a request with an {@code Idempotency-Key}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RotationRequested(
        String workflow,
        List<String> environments,
        List<String> bundles,
        String requestor,
        String reason,
        Trigger trigger,
        String batchId,
        RequestIdempotency idempotency) {

    public RotationRequested {
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(requestor, "requestor");
        environments = environments == null ? List.of() : List.copyOf(environments);
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
        trigger = trigger == null ? Trigger.AD_HOC : trigger;
    }

    /** A request without {@code idempotency}. */
    public RotationRequested(String workflow, List<String> environments, List<String> bundles, String requestor,
                             String reason, Trigger trigger, String batchId) {
        this(workflow, environments, bundles, requestor, reason, trigger, batchId, null);
    }

    /** This request, bound to an {@code Idempotency-Key} by {@code idempotency}. */
    public RotationRequested withIdempotency(RequestIdempotency idempotency) {
        return new RotationRequested(workflow, environments, bundles, requestor, reason, trigger, batchId, idempotency);
    }
}

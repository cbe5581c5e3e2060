package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.Objects;

/**
 * Data of {@code io.reseal.rotation.adopted.v1}: one namespace of a rotation reached {@code state}. Published once
 * per rotation, namespace, cluster and state. Holds names, times and the controller's message, never a value.
 *
 * @param since when the namespace got there, as the cluster tells it where it can (the controller's status
 *     time), else when the watcher saw it
 * @param message what the controller said ({@code decryption-failed}), or what the state rests on; may be null
 */
public record RotationAdopted(
        String rotationId,
        String workflow,
        String environment,
        String namespace,
        String cluster,
        AdoptionState state,
        Instant since,
        String message) {

    public RotationAdopted {
        Objects.requireNonNull(rotationId, "rotationId");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
    }

    /** The stable event id: the same for every redelivery of this state change. */
    public String eventId() {
        return rotationId + ".adopted." + cluster + "." + namespace + "." + state.wireName();
    }
}

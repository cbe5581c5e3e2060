package io.reseal.pipeline.event;

/**
 * The annotation that ties a SealedSecret, and the Secret the controller unseals from it, to the rotation
 * that sealed it: the sealer writes it on both ({@code metadata.annotations} and
 * {@code spec.template.metadata.annotations}), the adoption watcher reads it back from the cluster.
 */
public final class RotationAnnotation {

    /** {@code reseal.io/rotation-id}: the rotation id, nothing secret. */
    public static final String KEY = "reseal.io/rotation-id";

    private RotationAnnotation() {}
}

package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@code io.reseal.rotation.relinked.v1}: the rotation's archive, unchanged (same object, size and
 * SHA-256 as its {@code packaged} event), has a fresh presigned link until {@code expiresAt}. Carries the
 * recipients of the rotation's first mail (the requestor and the namespaces' contacts); never a value.
 */
public record RotationRelinked(
        String rotationId,
        String workflow,
        String relinkId,
        String requestedBy,
        String archiveName,
        long size,
        String sha256,
        String downloadUrl,
        Instant expiresAt,
        List<String> recipients) implements RelinkData {

    public RotationRelinked {
        recipients = List.copyOf(recipients);
    }
}

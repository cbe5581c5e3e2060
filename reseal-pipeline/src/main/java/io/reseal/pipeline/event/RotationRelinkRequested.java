package io.reseal.pipeline.event;

/**
 * Data of {@code io.reseal.rotation.relink-requested.v1}: someone asked for a fresh download link of a packaged
 * rotation whose link expired (or is about to).
 *
 * @param requestedBy who asked: the API token's name
 */
public record RotationRelinkRequested(String rotationId, String workflow, String relinkId, String requestedBy)
        implements RelinkData {}

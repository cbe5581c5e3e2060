package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.List;

/** Data of {@code io.reseal.rotation.relink-notified.v1}: the mail with a relink's fresh link was accepted. */
public record RotationRelinkNotified(
        String rotationId, String workflow, String relinkId, List<String> recipients, String messageId,
        Instant sentAt, Instant expiresAt) implements RelinkData {

    public RotationRelinkNotified {
        recipients = List.copyOf(recipients);
    }
}

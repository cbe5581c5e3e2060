package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.List;

/** Data of {@code io.reseal.rotation.notified.v1}: the e-mail for this rotation was accepted by the SMTP server. */
public record RotationNotified(
        String rotationId, String workflow, List<String> recipients, String messageId, Instant sentAt) {

    public RotationNotified {
        recipients = List.copyOf(recipients);
    }
}

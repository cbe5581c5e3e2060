package io.reseal.notifier.mail;

import io.reseal.pipeline.stage.RetriableStageException;
import java.util.List;

/**
 * Sending failed for a reason that may pass, after the mail had already been accepted for some
 * recipients ({@link #delivered()}), who must not get it a second time when the send is retried.
 */
public class PartialDeliveryException extends RetriableStageException {

    private final transient List<EmailAddress> delivered;

    public PartialDeliveryException(RetriableStageException cause, List<EmailAddress> delivered) {
        super(cause.code(), cause.getMessage() + " (already delivered to " + delivered.size() + " recipient(s))", cause);
        this.delivered = List.copyOf(delivered);
    }

    public List<EmailAddress> delivered() {
        return delivered;
    }
}

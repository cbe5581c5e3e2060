package io.reseal.notifier.mail;

import java.util.List;

/**
 * The e-mail for one rotation, ready to send: a {@code multipart/alternative} message (plain text and
 * HTML) with a stable {@code Message-ID}. Every header value is a single line without control
 * characters; every recipient is a validated plain address, deduplicated ignoring case. Immutable.
 *
 * @param rotationId the rotation the mail announces
 * @param messageId the {@code Message-ID} header, {@code <rotation-<rotationId>@reseal>}, the same for every attempt
 * @param subject the {@code Subject} header
 * @param text the plain-text part
 * @param html the HTML part
 * @param recipients who the mail goes to: the requestor first, then the event's recipients
 * @param unusableRecipients the addresses of the event that were left out, each with why
 */
public record RotationMail(
        String rotationId,
        String messageId,
        String subject,
        String text,
        String html,
        List<EmailAddress> recipients,
        List<String> unusableRecipients) {

    public RotationMail {
        recipients = List.copyOf(recipients);
        unusableRecipients = List.copyOf(unusableRecipients);
    }

    /** The same mail for fewer recipients (those not reached yet). */
    public RotationMail withRecipients(List<EmailAddress> subset) {
        return new RotationMail(rotationId, messageId, subject, text, html, subset, unusableRecipients);
    }
}

package io.reseal.adoption;

import io.reseal.notifier.mail.AdoptionMailComposer;
import io.reseal.notifier.mail.Mailer;
import io.reseal.pipeline.event.RotationReminded;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails the reminder to a namespace that has not applied a rotation: to its contacts and the rotation's
 * requestor, as {@link RotationReminded#recipients()} names them. Called once per published reminder (the reminder
 * is on the adopted topic before the mail goes, so a restart never mails it twice); a mail that cannot be sent is
 * logged, not retried. Thread-safe as its {@link Mailer} is.
 */
public final class ReminderMail implements AdoptionListener {

    private static final Logger LOG = LoggerFactory.getLogger(ReminderMail.class);

    private final Mailer mailer;
    private final AdoptionMailComposer composer = new AdoptionMailComposer();

    public ReminderMail(Mailer mailer) {
        this.mailer = mailer;
    }

    @Override
    public void reminded(RotationReminded reminder, AdoptionTarget target) {
        var mail = composer.notApplied(reminder.rotationId(), reminder.workflow(), reminder.environment(),
                reminder.namespace(), reminder.cluster(), RotationReminded.LINK_EXPIRY.equals(reminder.before()),
                reminder.at(), reminder.recipients());
        if (mail.recipients().isEmpty()) {
            LOG.warn("adoption: nobody to remind that {} in {} has not applied rotation {}", reminder.namespace(),
                    reminder.cluster(), reminder.rotationId());
            return;
        }
        try {
            mailer.send(mail);
            LOG.info("adoption: reminded {} in {} of rotation {} (before {} at {})", reminder.namespace(),
                    reminder.cluster(), reminder.rotationId(), reminder.before(), reminder.at());
        } catch (RetriableStageException | PermanentStageException e) {
            LOG.warn("adoption: the reminder for {} in {} was not sent: {}", reminder.namespace(), reminder.cluster(),
                    e.getMessage());
        }
    }
}

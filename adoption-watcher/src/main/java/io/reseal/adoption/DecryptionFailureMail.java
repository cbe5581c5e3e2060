package io.reseal.adoption;

import io.reseal.notifier.mail.AdoptionMailComposer;
import io.reseal.notifier.mail.Mailer;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails a namespace's contacts and the rotation's requestor when its controller could not decrypt the rotation.
 * Called once per published {@code decryption-failed} change; a mail that cannot be sent is logged, not retried
 * (the state stays visible in {@code reseal status}). Thread-safe as its {@link Mailer} is.
 */
public final class DecryptionFailureMail implements AdoptionListener {

    private static final Logger LOG = LoggerFactory.getLogger(DecryptionFailureMail.class);

    private final Mailer mailer;
    private final AdoptionMailComposer composer = new AdoptionMailComposer();

    public DecryptionFailureMail(Mailer mailer) {
        this.mailer = mailer;
    }

    @Override
    public void changed(RotationAdopted change, AdoptionTarget target) {
        if (change.state() != AdoptionState.DECRYPTION_FAILED) {
            return;
        }
        List<String> recipients = new ArrayList<>(target.contacts());
        if (target.requestor() != null) recipients.add(target.requestor());
        var mail = composer.decryptionFailed(change.rotationId(), change.workflow(), change.environment(),
                change.namespace(), change.cluster(), change.message(), recipients);
        if (mail.recipients().isEmpty()) {
            LOG.warn("adoption: nobody to tell that {} in {} cannot decrypt rotation {}", change.namespace(),
                    change.cluster(), change.rotationId());
            return;
        }
        try {
            mailer.send(mail);
        } catch (RetriableStageException | PermanentStageException e) {
            LOG.warn("adoption: the decryption-failure mail for {} in {} was not sent: {}", change.namespace(),
                    change.cluster(), e.getMessage());
        }
    }
}

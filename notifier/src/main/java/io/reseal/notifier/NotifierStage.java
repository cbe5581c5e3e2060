package io.reseal.notifier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.notifier.mail.Delivery;
import io.reseal.notifier.mail.EmailAddress;
import io.reseal.notifier.mail.Mailer;
import io.reseal.notifier.mail.PartialDeliveryException;
import io.reseal.notifier.mail.RotationMail;
import io.reseal.notifier.mail.RotationMailComposer;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.StageHandler;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code notifier} stage: e-mails the requestor and the recipients of a {@code packaged} rotation
 * the download link, its expiry, the checksums and the apply commands, and returns the
 * {@code notified} event.
 *
 * <p>Handling the same rotation again does not mail anyone twice in this process (see
 * {@link DeliveryProgress}); rotations already on the {@code notified} topic are skipped by the stage
 * loop before they get here. If the mail server refuses some recipients (with 5xx, or with a 4xx other than 421),
 * the others still get the mail and
 * {@link #handle} returns a {@code notified} event for them and a {@code failed} event (code
 * {@code recipient-rejected}) naming the refused addresses; addresses of the event that are not usable
 * e-mail addresses are reported the same way. Fails permanently with {@code link-expired} when the link
 * has expired (the rotation needs a new package), {@code recipient-rejected} when nobody can get the
 * mail, or the codes of {@link RotationMailComposer#compose} and {@link Mailer#send}; retriably when the
 * server is unreachable, closes the session (421), answers 4xx outside {@code RCPT TO}, or defers every
 * recipient it refused while nobody got the mail.
 *
 * <p>Counts {@code reseal_emails_sent_total} (messages the server accepted for at least one recipient) and
 * {@code reseal_email_recipients_total{outcome="delivered"|"rejected"}}; no address is ever a label.
 *
 * <p>Thread-safe for different rotations (its mailer, composer and counters are, and {@link DeliveryProgress} keeps
 * each rotation apart): the stage loop calls it for up to {@code kafka.concurrency.notifier} rotations at once,
 * never for one rotation twice at once ({@link StageHandler#doneKey}). Does not own the mailer.
 */
public final class NotifierStage implements StageHandler {

    public static final String STAGE = "notifier";
    static final String SOURCE = "/reseal/notifier";

    private static final Logger LOG = LoggerFactory.getLogger(NotifierStage.class);

    private final RotationMailComposer composer;
    private final Mailer mailer;
    private final DeliveryProgress progress;
    private final Clock clock;
    private final Counter emailsSent;
    private final Counter recipientsDelivered;
    private final Counter recipientsRejected;

    public NotifierStage(RotationMailComposer composer, Mailer mailer, DeliveryProgress progress, Clock clock,
                         MeterRegistry metrics) {
        this.composer = composer;
        this.mailer = mailer;
        this.progress = progress;
        this.clock = clock;
        this.emailsSent = Counter.builder("reseal.emails.sent")
                .description("Rotation e-mails the SMTP server accepted for at least one recipient")
                .register(metrics);
        this.recipientsDelivered = recipients(metrics, "delivered");
        this.recipientsRejected = recipients(metrics, "rejected");
    }

    private static Counter recipients(MeterRegistry metrics, String outcome) {
        return Counter.builder("reseal.email.recipients")
                .description("Recipients of rotation e-mails, by whether the server took them")
                .tag("outcome", outcome)
                .register(metrics);
    }

    @Override
    public String stage() {
        return STAGE;
    }

    @Override
    public EventType consumes() {
        return EventType.PACKAGED;
    }

    /** A sent e-mail cannot be taken back or recognised by the server: each one is committed before the next. */
    @Override
    public boolean commitsEachRecord() {
        return true;
    }

    @Override
    public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException {
        RotationPackaged packaged = event.dataAs(RotationPackaged.class);
        String rotationId = packaged.rotationId();
        Optional<List<RotationEvent<?>>> earlier = progress.outcomeOf(rotationId);
        if (earlier.isPresent()) {
            LOG.info("rotation {} was already mailed; returning its events again without mailing", rotationId);
            return earlier.get();
        }
        Instant now = clock.instant();
        if (packaged.expiresAt() != null && !now.isBefore(packaged.expiresAt())) {
            throw new PermanentStageException(ErrorCode.LINK_EXPIRED, "the download link of rotation " + rotationId
                    + " expired at " + packaged.expiresAt() + ", before it could be mailed; package the rotation again"
                    + " to get a new link");
        }
        RotationMail mail = composer.compose(packaged, now);

        Set<String> reachedBefore = progress.deliveredSoFar(rotationId);
        List<EmailAddress> pending = mail.recipients().stream().filter(r -> !reachedBefore.contains(r.key())).toList();
        Delivery delivery;
        try {
            delivery = mailer.send(mail.withRecipients(pending));
        } catch (PartialDeliveryException e) {
            progress.recordDelivered(rotationId, e.delivered());
            emailsSent.increment();
            recipientsDelivered.increment(e.delivered().size());
            throw e;
        }
        if (!delivery.delivered().isEmpty()) {
            emailsSent.increment();
        }
        recipientsDelivered.increment(delivery.delivered().size());
        recipientsRejected.increment(delivery.rejected().size());

        List<String> delivered = new ArrayList<>();
        mail.recipients().stream().filter(r -> reachedBefore.contains(r.key())).forEach(r -> delivered.add(r.value()));
        delivery.delivered().forEach(r -> delivered.add(r.value()));
        if (delivered.isEmpty()) {
            throw new PermanentStageException(ErrorCode.RECIPIENT_REJECTED, "nobody got the mail of rotation " + rotationId
                    + ": " + problems(delivery, mail));
        }

        Instant sentAt = clock.instant();
        OffsetDateTime time = sentAt.atOffset(ZoneOffset.UTC);
        String workflow = packaged.workflow();
        List<RotationEvent<?>> out = new ArrayList<>();
        out.add(RotationEvent.forRotation(rotationId, EventType.NOTIFIED, SOURCE, workflow, time,
                new RotationNotified(rotationId, workflow, delivered, mail.messageId(), sentAt)));
        if (!delivery.rejected().isEmpty() || !mail.unusableRecipients().isEmpty()) {
            String message = "the mail of rotation " + rotationId + " reached " + String.join(", ", delivered)
                    + " but not everyone: " + problems(delivery, mail);
            LOG.warn(message);
            out.add(RotationEvent.forRotation(rotationId, EventType.FAILED, SOURCE, workflow, time,
                    new RotationFailed(STAGE, ErrorCode.RECIPIENT_REJECTED.wire(), message, null, null, null, rotationId, workflow)));
        }
        progress.recordOutcome(rotationId, out);
        return out;
    }

    private static String problems(Delivery delivery, RotationMail mail) {
        List<String> problems = new ArrayList<>();
        if (!delivery.rejected().isEmpty()) {
            problems.add("the mail server refused " + delivery.describeRejected());
        }
        problems.addAll(mail.unusableRecipients());
        return String.join("; ", problems);
    }
}

package io.reseal.notifier;

import io.reseal.notifier.mail.AdoptionMailComposer;
import io.reseal.notifier.mail.Delivery;
import io.reseal.notifier.mail.EmailAddress;
import io.reseal.notifier.mail.Mailer;
import io.reseal.notifier.mail.PartialDeliveryException;
import io.reseal.notifier.mail.RotationMail;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationRelinkNotified;
import io.reseal.pipeline.event.RotationRelinked;
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

/**
 * The {@code relink-notifier} stage: mails a {@code relinked} event's fresh link to the recipients of the rotation's
 * first mail, once per relink request (the stage loop counts by {@code relinkId}: {@link #doneKey}), and returns a
 * {@code relink-notified} event (on the notified topic; it does not move the rotation's stage). Like the
 * {@link NotifierStage}: each record is committed before the next, a send that failed half-way goes only to those
 * not reached yet ({@link DeliveryProgress}, by relink id), refused recipients beside delivered ones add a
 * {@code recipient-rejected} failed record; a link already expired fails with {@code link-expired}. Called from one
 * thread at a time. Does not own the mailer.
 */
public final class RelinkNotifierStage implements StageHandler {

    public static final String STAGE = RelinkData.RELINK_NOTIFIER;

    private final AdoptionMailComposer composer;
    private final Mailer mailer;
    private final DeliveryProgress progress;
    private final Clock clock;

    public RelinkNotifierStage(AdoptionMailComposer composer, Mailer mailer, DeliveryProgress progress, Clock clock) {
        this.composer = composer;
        this.mailer = mailer;
        this.progress = progress;
        this.clock = clock;
    }

    @Override
    public String stage() {
        return STAGE;
    }

    @Override
    public EventType consumes() {
        return EventType.RELINKED;
    }

    @Override
    public boolean commitsEachRecord() {
        return true;
    }

    @Override
    public String doneKey(RotationEvent<?> event) {
        return RelinkData.of(event);
    }

    @Override
    public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException {
        RotationRelinked relink = event.dataAs(RotationRelinked.class);
        String id = relink.relinkId();
        Optional<List<RotationEvent<?>>> earlier = progress.outcomeOf(id);
        if (earlier.isPresent()) return earlier.get();
        if (!clock.instant().isBefore(relink.expiresAt())) {
            throw new PermanentStageException(ErrorCode.LINK_EXPIRED, "the fresh link of relink " + id + " expired at "
                    + relink.expiresAt() + " before it could be mailed; ask for another with ./reseal relink "
                    + relink.rotationId());
        }
        RotationMail mail = composer.relinked(relink);
        Set<String> reachedBefore = progress.deliveredSoFar(id);
        Delivery delivery;
        try {
            delivery = mailer.send(mail.withRecipients(
                    mail.recipients().stream().filter(r -> !reachedBefore.contains(r.key())).toList()));
        } catch (PartialDeliveryException e) {
            progress.recordDelivered(id, e.delivered());
            throw e;
        }
        List<String> delivered = new ArrayList<>();
        mail.recipients().stream().filter(r -> reachedBefore.contains(r.key())).forEach(r -> delivered.add(r.value()));
        delivery.delivered().stream().map(EmailAddress::value).forEach(delivered::add);
        List<String> problems = new ArrayList<>();
        if (!delivery.rejected().isEmpty()) problems.add("the mail server refused " + delivery.describeRejected());
        problems.addAll(mail.unusableRecipients());
        if (delivered.isEmpty()) {
            throw new PermanentStageException(ErrorCode.RECIPIENT_REJECTED, "nobody got the fresh link of relink " + id
                    + ": " + String.join("; ", problems));
        }
        Instant sentAt = clock.instant();
        OffsetDateTime time = sentAt.atOffset(ZoneOffset.UTC);
        List<RotationEvent<?>> out = new ArrayList<>();
        out.add(RelinkData.event(EventType.RELINK_NOTIFIED, NotifierStage.SOURCE, time, new RotationRelinkNotified(
                relink.rotationId(), relink.workflow(), id, delivered, mail.messageId(), sentAt, relink.expiresAt())));
        if (!problems.isEmpty()) {
            out.add(new RotationEvent<>(id + "." + EventType.FAILED.shortName(),
                    java.net.URI.create(NotifierStage.SOURCE), EventType.FAILED, relink.workflow(), time,
                    relink.rotationId(), new RotationFailed(STAGE, ErrorCode.RECIPIENT_REJECTED.wire(),
                            "the fresh link of relink " + id + " reached " + String.join(", ", delivered)
                                    + " but not everyone: " + String.join("; ", problems),
                            null, null, null, relink.rotationId(), relink.workflow())));
        }
        progress.recordOutcome(id, out);
        return out;
    }
}

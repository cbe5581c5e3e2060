package io.reseal.sealer.kube;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationIds;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A request may carry a rotation id Reseal derives itself ({@link RotationIds}) only if it is what that id
 * stands for: a scheduled request timed at its slot, the slot not in the future; a key-renewal request for
 * the fingerprint a cluster of the rotation has now. Anything else with such an id, and a scheduled or
 * key-renewal request without its own id, fails ({@code forged-rotation-id}), and a failed rotation does not enter the
 * sealer's ledger: so a forged record cannot use up the id of a coming scheduled rotation or key renewal,
 * which would make the real one a duplicate that is silently dropped. Stateless and thread-safe.
 */
public final class RotationIdProof {

    static final String CODE = ErrorCode.FORGED_ROTATION_ID.wire();
    /** How far ahead of this clock a scheduler's clock may be. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private RotationIdProof() {
    }

    /**
     * @param targets the subscriptions the request covers (their clusters are the ones a renewal may be for)
     * @throws PermanentStageException if the request claims an id it does not prove
     */
    public static void check(RotationEvent<?> event, RotationRequested request, List<Subscription> targets,
                             CertificateSource certificates) throws RetriableStageException, PermanentStageException {
        String id = event.rotationId();
        Trigger trigger = request.trigger() == null ? Trigger.AD_HOC : request.trigger();
        switch (trigger) {
            case SCHEDULED -> {
                Instant slot = event.time().toInstant();
                if (!RotationIds.scheduled(request.workflow(), slot).equals(id)) {
                    throw new PermanentStageException(CODE, "a scheduled request must carry the rotation id of its slot "
                            + slot + "; '" + id + "' is not it");
                }
                if (slot.isAfter(certificates.now().plus(CLOCK_SKEW))) {
                    throw new PermanentStageException(CODE, "a scheduled request for " + slot + " is not due yet");
                }
            }
            case KEY_RENEWAL -> {
                for (String cluster : targets.stream().map(Subscription::cluster).distinct().toList()) {
                    String fingerprint = certificates.current(cluster).fingerprint();
                    if (RotationIds.keyRenewal(cluster, fingerprint, request.workflow()).equals(id)) {
                        return;
                    }
                }
                throw new PermanentStageException(CODE, "a key-renewal request must carry the id of a renewal to the"
                        + " current key of one of its clusters; '" + id + "' is not one");
            }
            default -> {
                if (RotationIds.isReserved(id)) {
                    throw new PermanentStageException(CODE, "rotation id '" + id + "' is reserved for scheduled and"
                            + " key-renewal rotations; a " + trigger.wireName() + " request cannot use it");
                }
            }
        }
    }
}

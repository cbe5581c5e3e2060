package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.StageHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The finish step, in the sealer (which holds the issuers' admin credentials): a {@code finishing} request
 * revokes, at every issuer of that rotation, the credential the rotation replaced, and publishes
 * {@code finished} naming what was revoked when. Revoking is idempotent, so a redelivered request or a retry
 * after a half-done finish does no harm; an issuer that cannot be reached is retried with the stage's backoff
 * and then reported on the failed topic. A rotation that is unknown, or was not the last of an issuer, is
 * refused, and so is a request that does not name the rotation's own workflow ({@link RequestRules#check(
 * RotationFinishing, String)}): nothing is revoked for it. Called from one thread at a time.
 */
public final class FinishStage implements StageHandler {

    public static final String SOURCE = "/reseal/sealer-worker/finish";

    private static final Logger LOG = LoggerFactory.getLogger(FinishStage.class);

    private final Map<String, Issuer> issuers;
    private final IssuerHistory history;
    private final Clock clock;

    public FinishStage(Map<String, Issuer> issuers, IssuerHistory history, Clock clock) {
        this.issuers = Map.copyOf(issuers);
        this.history = history;
        this.clock = clock;
    }

    @Override
    public String stage() {
        return "finisher";
    }

    @Override
    public EventType consumes() {
        return EventType.FINISHING;
    }

    @Override
    public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException {
        RotationFinishing request = event.dataAs(RotationFinishing.class);
        String rotationId = event.rotationId() != null ? event.rotationId() : request.rotationId();
        RequestRules.FieldError invalid = RequestRules.check(request, rotationId).orElse(null);
        if (invalid != null) {
            throw new PermanentStageException(ErrorCode.INVALID_REQUEST, "finish request: " + invalid.message());
        }
        IssuerHistory.Snapshot snapshot = history.read();
        RotationSealed sealed = snapshot.sealed(rotationId).map(IssuerHistory.Sealed::rotation)
                .orElseThrow(() -> new PermanentStageException(ErrorCode.NOTHING_TO_FINISH, "rotation " + rotationId
                        + " has no sealed credentials from an issuer (unknown, not sealed yet, or no issued keys)"));
        if (!sealed.workflow().equals(request.workflow())) {
            throw new PermanentStageException(ErrorCode.INVALID_REQUEST, "finish request for workflow "
                    + request.workflow() + ": rotation " + rotationId + " is of workflow " + sealed.workflow());
        }
        List<RotationFinished.Revocation> revoked = new ArrayList<>();
        for (IssuedVersions versions : sealed.issuers()) {
            IssuerHistory.Last last = snapshot.lastOf(versions.issuer()).orElseThrow();
            if (!last.rotationId().equals(rotationId)) {
                throw new PermanentStageException(ErrorCode.NOT_THE_LAST_ROTATION, "issuer " + versions.issuer() + ": rotation "
                        + rotationId + " is not its last (" + last.rotationId() + " is); only the last one can be finished");
            }
            Issuer issuer = issuers.get(versions.issuer());
            if (issuer == null) {
                throw new PermanentStageException(ErrorCode.UNKNOWN_ISSUER, "rotation " + rotationId + " used issuer "
                        + versions.issuer() + ", which is no longer configured");
            }
            issuer.revokePrevious(versions);
            String previous = versions.current() != null && !versions.current().equals(versions.pending()) ? versions.current() : null;
            revoked.add(new RotationFinished.Revocation(versions.issuer(), versions.pending(), previous, clock.instant()));
            LOG.info("rotation {}: issuer {} revoked {}, {} stays valid", rotationId, versions.issuer(),
                    previous == null ? "nothing" : previous, versions.pending());
        }
        RotationFinished finished = new RotationFinished(rotationId, sealed.workflow(), revoked, request.requestedBy(),
                request.behind());
        return List.of(RotationEvent.forRotation(rotationId, EventType.FINISHED, SOURCE, sealed.workflow(),
                event.time(), finished));
    }
}

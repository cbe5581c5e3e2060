package io.reseal.producer.api;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.publish.RequestPublisher;
import io.reseal.producer.status.RotationStatus;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * {@code POST /api/v1/rotations/{id}/relink}: ask for a fresh download link of a packaged rotation, mailed to the
 * recipients of its first mail (docs/operations.md, "A link expired"). Decides on a rotation the caller found in
 * the status view (an unknown one is a 404 before this): 403 for a token not allowed its workflow, 409 for one not
 * packaged (yet, or ever: it failed before). The relink id, and so the event id, is derived from the rotation, the
 * token's name and the request's {@code Idempotency-Key}: a retry with the same key is one relink downstream (one
 * mail); without a key every request is a relink of its own. Stateless.
 */
final class RelinkRequest {

    static final String PATH = RotationApi.ROTATIONS + "/:id/relink";

    private RelinkRequest() {
    }

    /** The relink event, or why this token may not send it for {@code status}'s rotation. */
    static RotationEvent<RotationRelinkRequested> of(ApiToken token, RotationStatus status, String idempotencyKey,
                                                     Clock clock) throws RequestRejected {
        if (status.workflow() == null || !token.allows(status.workflow())) {
            throw RequestRejected.workflowNotAllowed("token '" + token.name()
                    + "' may not relink rotations of workflow '" + status.workflow() + "'", null);
        }
        IdempotencyKeyHeader.checked(idempotencyKey);
        if (!status.stages().containsKey(EventType.PACKAGED.shortName())) {
            throw new RequestRejected(409, "not-packaged", "rotation " + status.rotationId() + " was not packaged"
                    + ("failed".equals(status.stage()) ? ": it failed before (" + failure(status) + ")" : " yet")
                    + ", so it has no download link to renew", null);
        }
        String key = idempotencyKey == null ? UUID.randomUUID().toString() : idempotencyKey;
        String relinkId = RelinkData.relinkId(status.rotationId(), token.name() + "\n" + key);
        return RelinkData.event(EventType.RELINK_REQUESTED, RequestPublisher.SOURCE,
                OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC),
                new RotationRelinkRequested(status.rotationId(), status.workflow(), relinkId, token.name()));
    }

    private static String failure(RotationStatus status) {
        return status.error() == null ? "no reason known" : status.error().stage() + ": " + status.error().code();
    }
}

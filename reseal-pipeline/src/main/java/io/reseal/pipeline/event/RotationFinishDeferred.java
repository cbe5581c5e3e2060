package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.Objects;

/**
 * Data of {@code io.reseal.rotation.finish-deferred.v1}, on the finished topic: every namespace of the rotation
 * adopted it, but its issuer sees the previous credential still in use, so the sealer holds back revoking it until
 * {@code revokeAt} (the issuer's {@code revokePrevious.after} deadline). Published at most once per rotation and
 * issuer. Identifiers, a count and a time only.
 *
 * @param previous the version still in use (for a database, the login name)
 * @param connections how many connections the issuer saw with it
 */
public record RotationFinishDeferred(String rotationId, String workflow, String issuer, String previous,
                                     int connections, Instant revokeAt) {

    public RotationFinishDeferred {
        Objects.requireNonNull(rotationId, "rotationId");
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(revokeAt, "revokeAt");
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1");
        }
    }

    /** What the status says: {@code previous login still in use by N connections; revocation at <deadline>}. */
    public String describe() {
        return "previous login " + previous + " still in use by " + connections
                + (connections == 1 ? " connection" : " connections") + "; revocation at " + revokeAt;
    }
}

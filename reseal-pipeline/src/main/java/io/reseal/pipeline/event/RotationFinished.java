package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Data of {@code io.reseal.rotation.finished.v1}: the previous credentials of a rotation's issuers are revoked;
 * only the ones the rotation delivered stay valid. Identifiers and times only.
 *
 * @param requestedBy who asked for the finish ({@link RotationFinishing#requestedBy()}); may be null
 * @param behind the namespaces that had not adopted the rotation when it was finished at the deadline
 */
public record RotationFinished(String rotationId, String workflow, List<Revocation> issuers,
                               @JsonInclude(JsonInclude.Include.NON_NULL) String requestedBy,
                               @JsonInclude(JsonInclude.Include.NON_EMPTY) List<RotationAdoptionComplete.Laggard> behind) {

    public RotationFinished {
        issuers = List.copyOf(issuers);
        behind = behind == null ? List.of() : List.copyOf(behind);
    }

    /** A finish asked for by hand, nobody named behind. */
    public RotationFinished(String rotationId, String workflow, List<Revocation> issuers) {
        this(rotationId, workflow, issuers, null, List.of());
    }

    /**
     * What one issuer revoked.
     *
     * @param current the version that stays valid (the one the rotation delivered)
     * @param revoked the version revoked, {@code null} when there was none to revoke
     * @param revokedAt when
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Revocation(String issuer, String current, String revoked, Instant revokedAt) {}
}

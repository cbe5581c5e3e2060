package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Data of {@code io.reseal.rotation.finishing.v1}: a request to finish a rotation, that is to revoke the
 * credentials its issuers kept valid while consumers switched ({@code ./reseal finish}, the API, or an issuer's
 * {@code revokePrevious.after}).
 *
 * @param requestedBy who asked (an API token's name, {@code cli}), or why the sealer asked by itself:
 *     {@code adoption} (every namespace adopted the rotation), {@code revokePrevious} (the deadline passed)
 * @param behind at the deadline, the namespaces that had not adopted it (they may break); empty otherwise
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record RotationFinishing(String rotationId, String workflow, String requestedBy,
                                List<RotationAdoptionComplete.Laggard> behind) {

    /** {@code requestedBy} of the sealer's finish once every namespace adopted the rotation. */
    public static final String ADOPTION = "adoption";
    /** {@code requestedBy} of the sealer's finish at an issuer's {@code revokePrevious.after} deadline. */
    public static final String DEADLINE = "revokePrevious";

    public RotationFinishing {
        behind = behind == null ? List.of() : List.copyOf(behind);
    }

    /** A request nobody lags behind: asked for by hand, or once everyone adopted. */
    public RotationFinishing(String rotationId, String workflow, String requestedBy) {
        this(rotationId, workflow, requestedBy, List.of());
    }
}

package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.AdoptionState;
import java.time.Duration;

/**
 * When the sealer finishes a rotation of an issuer by itself: as soon as every namespace of the rotation reached
 * {@code when} (as the adoption watcher reports it), or {@code after} this long since it was sealed, whichever
 * comes first. Where the issuer can tell that the previous credential is still in use, adoption alone does not
 * finish: the deadline does.
 *
 * @param after an ISO-8601 duration such as {@code P3D}; at least one second
 * @param when {@code rolled-out} (default: the workloads run with the new credential) or {@code unsealed} (the
 *     Secret holds it)
 */
public record RevokePrevious(Duration after, AdoptionState when) {

    public RevokePrevious {
        if (after == null || after.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("revokePrevious.after must be a duration of at least PT1S, e.g. P3D");
        }
        when = when == null ? AdoptionState.ROLLED_OUT : when;
        if (when != AdoptionState.ROLLED_OUT && when != AdoptionState.UNSEALED) {
            throw new IllegalArgumentException("revokePrevious.when must be rolled-out or unsealed, not " + when.wireName());
        }
    }

    /** At the deadline, or once every namespace rolled out. */
    public RevokePrevious(Duration after) {
        this(after, null);
    }
}

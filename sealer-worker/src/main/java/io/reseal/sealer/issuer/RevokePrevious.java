package io.reseal.sealer.issuer;

import java.time.Duration;

/**
 * When the sealer finishes a rotation of an issuer by itself: {@code after} this long since it was sealed.
 *
 * @param after an ISO-8601 duration such as {@code P3D}; at least one second
 */
public record RevokePrevious(Duration after) {

    public RevokePrevious {
        if (after == null || after.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("revokePrevious.after must be a duration of at least PT1S, e.g. P3D");
        }
    }
}

package io.reseal.packager.store;

import java.net.URI;
import java.time.Instant;

/**
 * A presigned GET URL and when it stops working. The URL is a bearer credential for the package (which
 * holds only ciphertext): {@link #toString()} leaves out its signature.
 */
public record PresignedLink(URI url, Instant expiresAt) {

    @Override
    public String toString() {
        return "PresignedLink[" + url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath()
                + "?<signature>, expiresAt=" + expiresAt + "]";
    }
}

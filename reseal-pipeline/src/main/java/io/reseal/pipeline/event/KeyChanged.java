package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Data of {@code io.reseal.key.changed.v1}, written by the sealer alone: a certificate from a URL without a pin
 * that the sealer took on first use ({@link State#FIRST_USE}) or that differs from the one it seals with and is
 * held until an operator approves it ({@link State#HELD}, {@code ./reseal approve-key <cluster> <fingerprint>}).
 * The certificate is public (a sealing certificate); carrying it lets a restarted sealer go on sealing with the
 * certificate it trusted. Fingerprints are 64 lower-case hex digits.
 *
 * @param previousFingerprint what the sealer seals with instead ({@code null} on first use)
 * @param url where the certificate came from
 * @param certificate the PEM of {@code fingerprint}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyChanged(String cluster, State state, String previousFingerprint, String fingerprint, String url,
                         String certificate) {

    public KeyChanged {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** What the sealer did with the certificate. */
    public enum State {
        /** The first certificate the sealer saw for the cluster: used (trust on first use). */
        @JsonProperty("first-use") FIRST_USE,
        /** A different certificate: not used until approved. */
        @JsonProperty("held") HELD
    }
}

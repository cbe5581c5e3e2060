package io.reseal.sealer.kube;

import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationSealed;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the sealed topic says about the key each cluster sealed with last, read once at start-up so that a key
 * renewed while the sealer was down is still noticed. Believed only of events the sealer wrote ({@code source}
 * the sealer's, a SHA-256 fingerprint, a configured cluster), and per cluster only the newest of them, so a
 * record of another writer, or an old forged one, does not become the baseline a renewal is measured against.
 * The topic itself must be writable by the sealer alone (docs/kafka-security.md); this keeps what a stray record
 * can do to "no effect" where its source or form gives it away. Not thread-safe: fed from the one thread that
 * loads the ledger.
 */
public final class SealingHistory {

    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");

    private final URI sealerSource;
    private final CertificateSource certificates;
    private final Map<String, Instant> newest = new HashMap<>();

    /** @param sealerSource the CloudEvents source of the sealer's own events */
    public SealingHistory(String sealerSource, CertificateSource certificates) {
        this.sealerSource = URI.create(sealerSource);
        this.certificates = certificates;
    }

    /** Takes in one event read back from the sealed topic. */
    public void accept(RotationEvent<?> event) {
        if (!sealerSource.equals(event.source()) || !(event.data() instanceof RotationSealed sealed)) {
            return;
        }
        Instant at = event.time().toInstant();
        for (RotationSealed.Environment environment : sealed.environments()) {
            String fingerprint = environment.certificateFingerprint();
            if (environment.cluster() == null || fingerprint == null || !FINGERPRINT.matcher(fingerprint).matches()
                    || !certificates.knows(environment.cluster())) {
                continue;
            }
            Instant before = newest.get(environment.cluster());
            if (before == null || at.isAfter(before)) {
                newest.put(environment.cluster(), at);
                certificates.rememberSealedWith(environment.cluster(), fingerprint);
            }
        }
    }
}

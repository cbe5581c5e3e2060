package io.reseal.sealer.offline;

import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.crypto.SealingCertificate;
import io.reseal.sealer.manifest.InvalidManifestException;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.manifest.SecretManifest;
import io.reseal.sealer.manifest.SecretSealer;
import io.reseal.sealer.secret.SecretValue;
import java.io.InputStream;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code reseal seal}: kubeseal without a cluster. Seals a Secret manifest into a SealedSecret
 * manifest, or one raw value into the base64 string that goes under {@code spec.encryptedData}.
 *
 * <p>Failures are {@link io.reseal.sealer.crypto.SealingException}s whose one-line message is meant
 * for the user (no namespace for a strict secret, invalid manifest naming the field, expired
 * certificate). Plaintext read from the manifest is wiped once sealed. Thread-safe.
 */
public final class OfflineSealer {

    private final SecretSealer sealer;
    private final HybridEncryption encryption;
    private final Clock clock;

    /** Seals with a fresh {@link java.security.SecureRandom}, checking certificates against the system clock. */
    public OfflineSealer() {
        this(new HybridEncryption(), Clock.systemUTC());
    }

    public OfflineSealer(HybridEncryption encryption, Clock clock) {
        this.encryption = Objects.requireNonNull(encryption, "encryption");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sealer = new SecretSealer(encryption, clock);
    }

    /**
     * {@code reseal seal [--scope S] [-o yaml|json] < secret.yaml}: the SealedSecret manifest of a
     * Secret manifest (YAML or JSON). Without {@code scopeOverride}, the scope is the one the Secret's
     * own {@code sealedsecrets.bitnami.com/*} annotations declare (strict when none), as kubeseal does.
     */
    public String seal(InputStream manifest, SealingCertificate certificate, Optional<SecretScope> scopeOverride,
            OutputFormat format) {
        SecretManifest secret = SecretManifest.parse(manifest);
        try {
            SecretManifest scoped = scopeOverride.map(secret::withScope).orElse(secret);
            return sealer.seal(scoped, certificate).render(format);
        } finally {
            secret.destroy();
        }
    }

    /**
     * {@code reseal seal --raw --namespace N --name X --from-file F}: one sealed value, standard base64,
     * no line break. A strict scope needs namespace and name; namespace-wide needs the namespace;
     * cluster-wide needs neither. Does not destroy {@code value}.
     */
    public String sealRaw(SecretValue value, String namespace, String name, SecretScope scope,
            SealingCertificate certificate) {
        String ns = namespace == null ? "" : namespace;
        String n = name == null ? "" : name;
        if (scope == SecretScope.STRICT && (ns.isEmpty() || n.isEmpty())) {
            throw new InvalidManifestException("a strict-scope raw value is sealed for namespace/name: give both --namespace and --name");
        }
        if (scope == SecretScope.NAMESPACE_WIDE && ns.isEmpty()) {
            throw new InvalidManifestException("a namespace-wide raw value is sealed for its namespace: give --namespace");
        }
        certificate.requireValidAt(clock.instant());
        byte[] plaintext = value.bytes();
        try {
            return Base64.getEncoder().encodeToString(
                    encryption.seal(plaintext, scope.label(ns, n), certificate.publicKey()));
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }
}

package io.reseal.sealer.manifest;

import io.reseal.pipeline.event.RotationAnnotation;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.crypto.SealingCertificate;
import io.reseal.sealer.crypto.UnsealException;
import io.reseal.sealer.secret.SecretValue;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns Secrets into SealedSecrets and back, as kubeseal's {@code NewSealedSecret} and the
 * controller's {@code Unseal} do.
 *
 * <p>Sealing: every value is sealed under the Secret's scope label; the SealedSecret's metadata gets
 * the name, namespace and exactly one scope annotation (none for strict); its template gets the
 * Secret's labels, annotations (scope ones included, last-applied-configuration never), type and
 * {@code immutable}. The certificate must be valid at the clock's current instant, as kubeseal demands.
 *
 * <p>Unsealing: the label comes from the SealedSecret's own metadata, as the controller takes it,
 * and each value is opened with the first key that fits.
 *
 * <p>Thread-safe. Never puts a plaintext value in a message.
 */
public final class SecretSealer {

    private final HybridEncryption encryption;
    private final Clock clock;

    public SecretSealer(HybridEncryption encryption, Clock clock) {
        this.encryption = Objects.requireNonNull(encryption, "encryption");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The SealedSecret YAML for one bundle of one rotation, as the sealer worker puts it into events and
     * archives: both the SealedSecret and its template (so the unsealed Secret too) carry
     * {@link RotationAnnotation#KEY} with {@code rotationId}, which the adoption watcher looks for.
     * Does not destroy {@code values}; their owner does.
     */
    public String sealToYaml(String rotationId, String namespace, String name, String type, SecretScope scope,
            Map<String, SecretValue> values, SealingCertificate certificate) {
        Map<String, String> mark = Map.of(RotationAnnotation.KEY, Objects.requireNonNull(rotationId, "rotationId"));
        SecretManifest secret = SecretManifest.of(namespace, name, type, scope, values).withAnnotations(mark);
        return seal(secret, certificate).withAnnotations(mark).render(OutputFormat.YAML);
    }

    /**
     * Seals every value of {@code secret} for its scope.
     *
     * @throws InvalidManifestException when a scope other than cluster-wide lacks a namespace
     * @throws io.reseal.sealer.crypto.InvalidCertificateException when the certificate is not valid now
     */
    public SealedSecretManifest seal(SecretManifest secret, SealingCertificate certificate) {
        certificate.requireValidAt(clock.instant());
        Metadata meta = secret.metadata();
        SecretScope scope = meta.scope();
        if (scope != SecretScope.CLUSTER_WIDE && meta.namespace().isEmpty()) {
            throw new InvalidManifestException("metadata.namespace is missing: a " + scope.wireName()
                    + " secret is sealed for its namespace; set one, or use the cluster-wide scope");
        }
        String label = meta.label();
        Map<String, String> encryptedData = new LinkedHashMap<>();
        secret.values().forEach((key, value) -> {
            byte[] plaintext = value.bytes();
            try {
                encryptedData.put(key, Base64.getEncoder().encodeToString(
                        encryption.seal(plaintext, label, certificate.publicKey())));
            } finally {
                Arrays.fill(plaintext, (byte) 0);
            }
        });
        Metadata sealedMeta = new Metadata(meta.name(), meta.namespace(), Map.of(), Map.of()).withScope(scope);
        return new SealedSecretManifest(sealedMeta, meta, secret.type(), secret.immutable(), encryptedData);
    }

    /**
     * Opens every value of {@code sealed} with the first of {@code keys} that fits.
     *
     * @throws UnsealException naming each key that does not open, and why
     */
    public SecretManifest unseal(SealedSecretManifest sealed, List<RSAPrivateKey> keys) {
        Metadata meta = sealed.metadata();
        if (meta.scope() != SecretScope.CLUSTER_WIDE && meta.namespace().isEmpty()) {
            throw new InvalidManifestException("metadata.namespace is missing: a " + meta.scope().wireName()
                    + " SealedSecret opens only in the namespace it was sealed for; add it");
        }
        String label = meta.label();
        Map<String, SecretValue> values = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        UnsealException.Reason firstReason = null;
        for (Map.Entry<String, String> entry : sealed.encryptedData().entrySet()) {
            byte[] ciphertext;
            try {
                ciphertext = Base64.getDecoder().decode(entry.getValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidManifestException("spec.encryptedData." + entry.getKey() + " is not valid base64");
            }
            try {
                byte[] plaintext = encryption.open(ciphertext, label, keys);
                values.put(entry.getKey(), SecretValue.of(plaintext));
                Arrays.fill(plaintext, (byte) 0);
            } catch (UnsealException e) {
                failures.add(entry.getKey() + ": " + e.getMessage());
                firstReason = firstReason == null ? e.reason() : firstReason;
            }
        }
        if (!failures.isEmpty()) {
            values.values().forEach(SecretValue::destroy);
            throw new UnsealException(firstReason, "cannot unseal " + failures.size() + " of "
                    + sealed.encryptedData().size() + " keys of " + meta.namespace() + "/" + meta.name()
                    + " (" + meta.scope().wireName() + "): " + String.join("; ", failures));
        }
        Metadata template = sealed.template();
        return new SecretManifest(new Metadata(meta.name(), meta.namespace(), template.labels(), template.annotations()),
                sealed.type(), sealed.immutable(), values);
    }
}

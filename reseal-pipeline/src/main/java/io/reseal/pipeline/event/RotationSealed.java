package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@code io.reseal.rotation.sealed.v1}: every secret of one rotation, sealed for every
 * environment. Holds only ciphertext (SealedSecret manifests) and names, never a plaintext value. When the
 * bundles take values from issuers, {@code issuers} says which credential version each one made (pending) and
 * which one stays valid until the rotation is finished (current): identifiers, never values.
 */
public record RotationSealed(
        String rotationId,
        String workflow,
        String requestor,
        Trigger trigger,
        String reason,
        Instant requestedAt,
        List<Environment> environments,
        List<IssuedVersions> issuers) {

    public RotationSealed {
        environments = List.copyOf(environments);
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
    }

    /** A rotation without issued credentials. */
    public RotationSealed(String rotationId, String workflow, String requestor, Trigger trigger, String reason,
                          Instant requestedAt, List<Environment> environments) {
        this(rotationId, workflow, requestor, trigger, reason, requestedAt, environments, List.of());
    }

    /** One subscribed namespace of the workflow and what was sealed for it. */
    public record Environment(
            String name,
            String namespace,
            String cluster,
            String certificateFingerprint,
            List<String> contacts,
            List<Secret> secrets) {

        public Environment {
            contacts = contacts == null ? List.of() : List.copyOf(contacts);
            secrets = List.copyOf(secrets);
        }
    }

    /** One SealedSecret: its name, Secret type, scope, the key names it provides, and the manifest (YAML). */
    public record Secret(String name, String type, SecretScope scope, List<String> keys, String manifest) {

        public Secret {
            keys = List.copyOf(keys);
        }
    }
}

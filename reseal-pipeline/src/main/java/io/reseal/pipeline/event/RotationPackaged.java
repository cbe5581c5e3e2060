package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.List;

/**
 * Data of {@code io.reseal.rotation.packaged.v1}: the delivery archive is stored and a presigned link
 * to it exists until {@code expiresAt}. Carries names of environments, secrets and keys (for the
 * e-mail), never values.
 */
public record RotationPackaged(
        String rotationId,
        String workflow,
        String requestor,
        Trigger trigger,
        String reason,
        Instant requestedAt,
        String bucket,
        String objectKey,
        String archiveName,
        long size,
        String sha256,
        String downloadUrl,
        Instant expiresAt,
        String signerKeyFingerprint,
        List<String> recipients,
        List<Environment> environments) {

    public RotationPackaged {
        recipients = List.copyOf(recipients);
        environments = List.copyOf(environments);
    }

    /** Where one environment's folder of the archive goes. */
    public record Environment(String name, String namespace, String cluster, List<Secret> secrets) {

        public Environment {
            secrets = List.copyOf(secrets);
        }
    }

    /** A secret of the package by name, with the key names it provides. */
    public record Secret(String name, String type, List<String> keys) {

        public Secret {
            keys = List.copyOf(keys);
        }
    }
}

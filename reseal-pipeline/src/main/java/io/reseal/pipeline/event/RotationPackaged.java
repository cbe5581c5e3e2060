package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * Data of {@code io.reseal.rotation.packaged.v1}: the delivery archive is stored and a presigned link
 * to it exists until {@code expiresAt}. Carries names of environments, secrets and keys (for the
 * e-mail), never values. {@code git} is set when the workflow delivers to Git (the commit, or why there is
 * none); it is absent from the JSON otherwise.
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
        List<Environment> environments,
        @JsonInclude(JsonInclude.Include.NON_NULL) GitDelivery git) {

    /** A rotation delivered by archive alone. */
    public RotationPackaged(String rotationId, String workflow, String requestor, Trigger trigger, String reason,
                            Instant requestedAt, String bucket, String objectKey, String archiveName, long size,
                            String sha256, String downloadUrl, Instant expiresAt, String signerKeyFingerprint,
                            List<String> recipients, List<Environment> environments) {
        this(rotationId, workflow, requestor, trigger, reason, requestedAt, bucket, objectKey, archiveName, size, sha256,
                downloadUrl, expiresAt, signerKeyFingerprint, recipients, environments, null);
    }

    public RotationPackaged {
        recipients = List.copyOf(recipients);
        environments = List.copyOf(environments);
    }

    /**
     * Where the rotation went in the team's Git repository.
     *
     * @param repository the repository URL as configured (never with credentials)
     * @param branch the branch holding {@code commit}: the configured branch, or {@code reseal/<rotation-id>}
     *     in merge-request mode
     * @param commit the full object id of the rotation's commit; {@code null} when it could not be made
     * @param targetBranch in merge-request mode the branch the merge request targets; {@code null} when pushed
     * @param failure why there is no commit (the push was refused); {@code null} when there is one
     */
public record GitDelivery(String repository, String branch, String commit, String targetBranch, String failure) {}

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

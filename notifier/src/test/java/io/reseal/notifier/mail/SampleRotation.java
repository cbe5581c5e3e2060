package io.reseal.notifier.mail;

import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationPackaged.Environment;
import io.reseal.pipeline.event.RotationPackaged.Secret;
import io.reseal.pipeline.event.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A packaged event as the packager emits it for the seed's {@code financial-ml} workflow, for tests. */
public final class SampleRotation {

    public static final Instant NOW = Instant.parse("2025-03-14T09:00:00Z");
    public static final String SHA256 = "9f86d081884c7d659a2feb1f2f0aeb1d4b3a6c5f9e0b7c2e1f3a4b5c6d7e8f90";
    public static final String URL =
            "https://s3.example.com/reseal/financial-ml/r-42/financial-ml-ml-secrets-20250314.tar.gz?X-Amz-Signature=abc&X-Amz-Expires=604800";

    private SampleRotation() {}

    public static RotationPackaged packaged() {
        return with("r-42", "financial-ml", "ml-infra@example.com", "quarterly rotation",
                List.of("Team.Lead@example.com", "ml-infra@EXAMPLE.com", "oncall@example.com"), NOW.plus(Duration.ofDays(7)));
    }

    public static RotationPackaged with(
            String rotationId, String workflow, String requestor, String reason, List<String> recipients, Instant expiresAt) {
        return new RotationPackaged(rotationId, workflow, requestor, Trigger.AD_HOC, reason, NOW.minusSeconds(600),
                "reseal", workflow + "/" + rotationId + "/" + workflow + "-ml-secrets-20250314.tar.gz",
                workflow + "-ml-secrets-20250314.tar.gz", 4711, SHA256, URL, expiresAt, "SHA256:ed25519:4f2c9a71d0",
                recipients,
                List.of(new Environment("dev", workflow + "-dev", "kind-dev", List.of(
                                new Secret("ml-platform", "Opaque", List.of("MLFLOW_TRACKING_PASSWORD", "S3_SECRET_KEY")),
                                new Secret("ghcr", "kubernetes.io/dockerconfigjson", List.of(".dockerconfigjson")))),
                        new Environment("production", workflow, "prod-eu-1", List.of(
                                new Secret("ml-platform", "Opaque", List.of("MLFLOW_TRACKING_PASSWORD", "S3_SECRET_KEY"))))));
    }
}

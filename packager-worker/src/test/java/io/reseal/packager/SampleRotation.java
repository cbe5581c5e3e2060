package io.reseal.packager;

import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.pipeline.event.Trigger;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * The sealed event of the tests: workflow {@code financial-ml}, environments {@code dev} and
 * {@code production} (both namespace {@code mlops}, on two clusters), each with the golden
 * {@code ml-platform} (Opaque, 7 keys) and {@code ghcr} (dockerconfigjson) SealedSecrets of the
 * sealed-secrets vectors, copied to {@code src/test/resources/sealed-secrets/}.
 */
public final class SampleRotation {

    public static final String ROTATION_ID = "7f3c2a1e-0b9d-4c55-9a1e-2f6d8b0c4e11";
    public static final Instant REQUESTED_AT = Instant.parse("2026-11-29T04:00:00Z");
    public static final List<String> ML_PLATFORM_KEYS = List.of("AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION",
            "AWS_SECRET_ACCESS_KEY", "MLFLOW_S3_ENDPOINT_URL", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_URI",
            "MLFLOW_TRACKING_USERNAME");

    private SampleRotation() {
    }

    public static RotationSealed sealed() {
        return sealed(ROTATION_ID);
    }

    public static RotationSealed sealed(String rotationId) {
        return new RotationSealed(rotationId, "financial-ml", "requestor@example.com", Trigger.AD_HOC,
                "quarterly rotation", REQUESTED_AT,
                List.of(environment("dev", "dev-cluster", List.of("ml-dev@example.com", "Requestor@example.com")),
                        environment("production", "prod-cluster", List.of("ml-prod@example.com", "ml-dev@example.com"))));
    }

    public static RotationSealed.Environment environment(String name, String cluster, List<String> contacts) {
        return new RotationSealed.Environment(name, "mlops", cluster, "d43d67c33a6cbd951e2e2140e22bb560c565fd27e1d1c9a17ef334b72642c9d9",
                contacts, List.of(mlPlatform(), ghcr()));
    }

    public static RotationSealed.Secret mlPlatform() {
        return new RotationSealed.Secret("ml-platform", "Opaque", SecretScope.STRICT, ML_PLATFORM_KEYS,
                manifest("ml-platform.sealedsecret.yaml"));
    }

    public static RotationSealed.Secret ghcr() {
        return new RotationSealed.Secret("ghcr", "kubernetes.io/dockerconfigjson", SecretScope.NAMESPACE_WIDE,
                List.of(".dockerconfigjson"), manifest("ghcr.sealedsecret.yaml"));
    }

    public static String manifest(String file) {
        try (InputStream in = SampleRotation.class.getResourceAsStream("/sealed-secrets/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

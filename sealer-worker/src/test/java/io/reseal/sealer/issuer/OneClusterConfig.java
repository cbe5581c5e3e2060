package io.reseal.sealer.issuer;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.TestControllers;
import io.reseal.sealer.values.ValueSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The sealer configuration of the issued-rotation ITs: one cluster {@code dev-cluster} sealed for with
 * {@link TestControllers#key} 0, one bundle named after the issuer, and workflow {@code financial-ml} delivering it
 * to {@code dev}; and the unsealing of what such a rotation sealed.
 */
final class OneClusterConfig {

    private OneClusterConfig() {}

    /** @param dir where the cluster's certificate file is written */
    static SealerConfig of(Path dir, IssuerConfig issuer, Map<String, ValueSource> keys) throws IOException {
        Path cert = Files.writeString(dir.resolve("dev.pem"), TestControllers.key(0).certificatePem());
        List<ClusterConfig> clusters = List.of(new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromFile(cert.toString(), null)));
        return new SealerConfig(clusters, List.of(new BundleConfig(issuer.name(), null, null, null, keys)),
                List.of(new WorkflowConfig("financial-ml", "ml-team@example.com", List.of(issuer.name()),
                        Map.of("dev", new EnvironmentConfig("dev-cluster", null, null, null)), null)),
                List.of(issuer));
    }

    /** The values of the one secret the rotation sealed for {@code dev}. */
    static Map<String, String> unseal(RotationSealed sealed) throws Exception {
        return TestControllers.unseal(sealed.environments().get(0).secrets().get(0).manifest(), TestControllers.key(0));
    }
}

package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.ClusterConfig.ControllerRef;
import io.reseal.sealer.values.ValueSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SealerConfigTest {

    private static final CertificateConfig FILE = new CertificateConfig.FromFile("/etc/reseal/dev.pem", null);
    private static final Map<String, ValueSource> KEYS = Map.of("endpoint", new ValueSource.Literal("https://x"));

    @Test
    void bundleDefaultsToAnOpaqueStrictSecretNamedAfterIt() {
        // when
        BundleConfig bundle = new BundleConfig("ml-platform", null, null, null, KEYS);

        // then
        assertThat(bundle.type()).isEqualTo("Opaque");
        assertThat(bundle.scope()).isEqualTo(SecretScope.STRICT);
        assertThat(bundle.secretName()).isEqualTo("ml-platform");
    }

    @Test
    void bundleRefusalsNameTheBundleAndTheField() {
        assertThatThrownBy(() -> new BundleConfig("ML_platform", null, null, null, KEYS))
                .hasMessage("bundles: name 'ML_platform' is not a DNS-1123 label");
        assertThatThrownBy(() -> new BundleConfig("ml-platform", null, null, "Bad Name", KEYS))
                .hasMessage("bundles.ml-platform.secretName is not a DNS-1123 label");
        assertThatThrownBy(() -> new BundleConfig("ml-platform", null, null, null, Map.of()))
                .hasMessage("bundles.ml-platform.keys: at least one key is required");
        assertThatThrownBy(() -> new BundleConfig("ml-platform", null, null, null,
                Map.of("a/b", new ValueSource.Literal("x"))))
                .hasMessage("bundles.ml-platform.keys: 'a/b' is not a valid Secret key (letters, digits, '-', '_', '.')");
    }

    @Test
    void clusterRefusalsNameTheClusterAndTheField() {
        assertThatThrownBy(() -> new ClusterConfig("Prod", null, null, FILE))
                .hasMessage("clusters: name 'Prod' is not a DNS-1123 label");
        assertThatThrownBy(() -> new ClusterConfig("prod", null, null, null))
                .hasMessage("clusters.prod.certificate is required (file, url or controller)");
        assertThatThrownBy(() -> new CertificateConfig.FromUrl("ftp://x/cert.pem", null))
                .hasMessage("certificate.url must be an https URL (http only with insecure: true)");
        assertThatThrownBy(() -> new CertificateConfig.FromFile(null, null))
                .hasMessage("certificate.file needs a value");
        assertThatThrownBy(() -> new CertificateConfig.FromController(null, null))
                .hasMessage("certificate.controller needs a value ({} for the default Service)");
    }

    @Test
    void clusterDefaultsToNoDiscoveryAFiveMinuteRefreshAndTheStandardController() {
        // when
        ClusterConfig cluster = new ClusterConfig("prod", null, null,
                new CertificateConfig.FromController(new ControllerRef(null, null), null));

        // then
        assertThat(cluster.discover()).isFalse();
        assertThat(cluster.certificate().refresh()).isEqualTo(Duration.ofMinutes(5));
        assertThat(((CertificateConfig.FromController) cluster.certificate()).controller()).isEqualTo(new ControllerRef("kube-system", "sealed-secrets-controller"));
    }

    @Test
    void sealerConfigRefusesWhatDoesNotFitTogether() {
        ClusterConfig dev = new ClusterConfig("dev", null, null, FILE);
        BundleConfig bundle = new BundleConfig("ml-platform", null, null, null, KEYS);

        assertThatThrownBy(() -> new SealerConfig(List.of(), List.of(bundle), List.of()))
                .hasMessage("clusters: at least one cluster is required");
        assertThatThrownBy(() -> new SealerConfig(List.of(dev, dev), List.of(bundle), List.of()))
                .hasMessage("clusters: 'dev' is declared twice");
        assertThatThrownBy(() -> new SealerConfig(List.of(dev), List.of(bundle, bundle), List.of()))
                .hasMessage("bundles: 'ml-platform' is declared twice");
        assertThatThrownBy(() -> new SealerConfig(List.of(dev), List.of(bundle),
                List.of(workflow("staging", List.of("ml-platform")))))
                .hasMessage("workflows.financial-ml.environments.dev.cluster: unknown cluster 'staging'");
        assertThatThrownBy(() -> new SealerConfig(List.of(dev), List.of(bundle),
                List.of(workflow("dev", List.of("ml-platform", "ghcr")))))
                .hasMessage("workflows.financial-ml.environments.dev.bundles: unknown bundle 'ghcr'");
    }

    @Test
    void aSecretSourceMustNameAConfiguredCluster() {
        // given
        ClusterConfig dev = new ClusterConfig("dev", null, null, FILE);
        BundleConfig bundle = new BundleConfig("ml-platform", null, null, null, Map.of("db-password",
                new ValueSource.FromSecret(new ValueSource.SecretKeyRef("vault", "team", "db", "password"))));

        // when / then
        assertThatThrownBy(() -> new SealerConfig(List.of(dev), List.of(bundle), List.of()))
                .hasMessage("bundles.ml-platform.keys.db-password.secret.cluster: unknown cluster 'vault'");
    }

    @Test
    void findsWorkflowsBundlesAndClustersByName() {
        // given
        ClusterConfig dev = new ClusterConfig("dev", null, null, FILE);
        ClusterConfig prod = new ClusterConfig("prod", null, null, FILE);
        SealerConfig config = new SealerConfig(List.of(dev, prod), List.of(new BundleConfig("ml-platform", null, null, null, KEYS)),
                List.of(workflow("prod", List.of("ml-platform"))));

        // then
        assertThat(config.cluster(null)).isEqualTo(dev);
        assertThat(config.cluster("prod")).isEqualTo(prod);
        assertThatThrownBy(() -> config.cluster("qa")).hasMessage("unknown cluster 'qa'");
        assertThat(config.workflow("financial-ml")).isPresent();
        assertThat(config.bundle("ghcr")).isEmpty();
    }

    private static WorkflowConfig workflow(String cluster, List<String> bundles) {
        return new WorkflowConfig("financial-ml", "ml-team@example.com", bundles,
                Map.of("dev", new EnvironmentConfig(cluster, null, null, null)), null);
    }
}

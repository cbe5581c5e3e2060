package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.reseal.embedded.EmbeddedKubernetes;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.ClusterConfig.ControllerRef;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.crypto.UnsealException;
import io.reseal.sealer.kube.CertificateSource;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.kube.NamespaceDiscovery;
import io.reseal.sealer.kube.Subscription;
import io.reseal.sealer.manifest.SecretSealer;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import io.reseal.sealer.values.ValueSource.SecretKeyRef;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two clusters (two API-server stand-ins), each with its own sealed-secrets controller key: {@code dev} is
 * discovered in one, {@code production} in the other, certificates come through the service proxy, and one
 * value comes from a Kubernetes Secret.
 */
class TwoClustersIT {

    private static final ControllerKeyPair KEY_A = TestControllers.key(0);
    private static final ControllerKeyPair KEY_B = TestControllers.key(1);
    private static final String DB_PASSWORD = "db-password-from-a-kubernetes-secret";

    private static EmbeddedKubernetes clusterA;
    private static EmbeddedKubernetes clusterB;
    private static SealerConfig config;
    private static ClusterAccess access;
    private static final ForkJoinPool POOL = new ForkJoinPool(2);

    @BeforeAll
    static void startClusters() {
        clusterA = new EmbeddedKubernetes();
        clusterB = new EmbeddedKubernetes();
        clusterA.start();
        clusterB.start();
        clusterA.serveControllerCertificate("kube-system", "sealed-secrets-controller", KEY_A.certificatePem());
        clusterB.serveControllerCertificate("sealed-secrets", "controller", KEY_B.certificatePem());
        namespace(clusterA, "financial-ml-dev", Map.of("reseal.io/workflow", "financial-ml", "reseal.io/environment", "dev"),
                Map.of("reseal.io/bundles", "ml-platform, ghcr", "reseal.io/contacts", "dev-lead@example.com,not an address"));
        namespace(clusterA, "payments-dev", Map.of("reseal.io/workflow", "payments", "reseal.io/environment", "dev"), Map.of());
        namespace(clusterA, "financial-ml-scratch", Map.of("reseal.io/workflow", "financial-ml"), Map.of());
        namespace(clusterA, "unlabelled", Map.of(), Map.of());
        namespace(clusterB, "financial-ml", Map.of("reseal.io/workflow", "financial-ml", "reseal.io/environment", "production"),
                Map.of("reseal.io/bundles", "ml-platform"));
        // credit-ml: hostile and conflicting claims
        namespace(clusterA, "credit-ml-dev", Map.of("reseal.io/workflow", "credit-ml", "reseal.io/environment", "dev"),
                Map.of("reseal.io/bundles", "ml-platform, ghcr", "reseal.io/contacts", "lead@example.com, attacker@evil.test"));
        namespace(clusterA, "stolen", Map.of("reseal.io/workflow", "credit-ml", "reseal.io/environment", "staging"), Map.of());
        namespace(clusterB, "credit-ml-dev", Map.of("reseal.io/workflow", "credit-ml", "reseal.io/environment", "dev"), Map.of());
        namespace(clusterB, "credit-ml", Map.of("reseal.io/workflow", "credit-ml", "reseal.io/environment", "production"), Map.of());
        clusterB.client().secrets().inNamespace("vault").resource(new SecretBuilder()
                .withNewMetadata().withName("database").withNamespace("vault").endMetadata()
                .addToData("password", Base64.getEncoder().encodeToString(DB_PASSWORD.getBytes(StandardCharsets.UTF_8)))
                .build()).create();

        List<ClusterConfig> clusters = List.of(
                new ClusterConfig("cluster-a", null, true, new CertificateConfig.FromController(new ControllerRef(null, null), null)),
                new ClusterConfig("cluster-b", null, true,
                        new CertificateConfig.FromController(new ControllerRef("sealed-secrets", "controller"), null)));
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("endpoint", new ValueSource.Literal("https://mlflow.example.com"));
        keys.put("db-password", new ValueSource.FromSecret(new SecretKeyRef("cluster-b", "vault", "database", "password")));
        config = new SealerConfig(clusters, List.of(
                new BundleConfig("ml-platform", null, null, null, keys),
                new BundleConfig("ghcr", null, null, null, Map.of("token", new ValueSource.Literal("ghcr-literal"))),
                new BundleConfig("missing", null, null, null, Map.of("password",
                        new ValueSource.FromSecret(new SecretKeyRef("cluster-b", "vault", "database", "no-such-key")))),
                new BundleConfig("gone", null, null, null, Map.of("password",
                        new ValueSource.FromSecret(new SecretKeyRef("cluster-b", "vault", "no-such-secret", "password"))))),
                List.of(new WorkflowConfig("financial-ml", "ml-team@example.com", List.of("ml-platform", "ghcr"),
                                Map.of("dev", new EnvironmentConfig("cluster-a", null, null, null),
                                        "production", new EnvironmentConfig("cluster-b", null, null, null)), null),
                        new WorkflowConfig("credit-ml", "credit-team@example.com", List.of("ml-platform"),
                                Map.of("dev", new EnvironmentConfig("cluster-a", null, null, null)), null)));
        access = new ClusterAccess(clusters, Map.of("cluster-a", clusterA.client(), "cluster-b", clusterB.client()));
    }

    @AfterAll
    static void stopClusters() {
        POOL.shutdown();
        clusterA.close();
        clusterB.close();
    }

    @Test
    void discoversSubscribedNamespacesByTheirLabelsInEveryCluster() throws Exception {
        // when
        List<Subscription> subscriptions = new NamespaceDiscovery(config, access).subscriptions("financial-ml");

        // then: no environment label -> ignored; an invalid contact -> dropped
        assertThat(subscriptions).containsExactly(
                new Subscription("dev", "financial-ml-dev", "cluster-a", List.of("ml-platform", "ghcr"), List.of("dev-lead@example.com")),
                new Subscription("production", "financial-ml", "cluster-b", List.of("ml-platform"), List.of()));
    }

    @Test
    void fetchesEachClustersCertificateThroughTheServiceProxy() throws Exception {
        // given
        CertificateSource certificates = new CertificateSource(config.clusters(), access, Clock.systemUTC(), (c, cert) -> { });

        // when / then
        assertThat(certificates.current("cluster-a").fingerprint()).isEqualTo(KEY_A.sealingCertificate().fingerprint());
        assertThat(certificates.current("cluster-b").fingerprint()).isEqualTo(KEY_B.sealingCertificate().fingerprint());
    }

    @Test
    void aControllerThatIsNotThereIsAPermanentErrorNamingIt() {
        // given
        ClusterConfig elsewhere = new ClusterConfig("cluster-a", null, false,
                new CertificateConfig.FromController(new ControllerRef("kube-system", "no-controller"), null));
        CertificateSource certificates = new CertificateSource(List.of(elsewhere), access, Clock.systemUTC(), (c, cert) -> { });

        // when / then
        assertThatThrownBy(() -> certificates.current("cluster-a"))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("certificate of cluster cluster-a (controller kube-system/no-controller)");
    }

    @Test
    void sealsEachEnvironmentWithItsOwnClustersKey() throws Exception {
        // when
        RotationSealed sealed = seal("financial-ml");

        // then
        assertThat(sealed.environments()).extracting(RotationSealed.Environment::name, RotationSealed.Environment::cluster,
                        RotationSealed.Environment::certificateFingerprint)
                .containsExactly(
                        tuple("dev", "cluster-a", KEY_A.sealingCertificate().fingerprint()),
                        tuple("production", "cluster-b", KEY_B.sealingCertificate().fingerprint()));
        String dev = sealed.environments().get(0).secrets().get(0).manifest();
        String production = sealed.environments().get(1).secrets().get(0).manifest();
        assertThat(TestControllers.unseal(dev, KEY_A)).containsEntry("db-password", DB_PASSWORD)
                .isEqualTo(TestControllers.unseal(production, KEY_B));
        assertThatThrownBy(() -> TestControllers.unseal(dev, KEY_B)).isInstanceOf(UnsealException.class);
        assertThatThrownBy(() -> TestControllers.unseal(production, KEY_A)).isInstanceOf(UnsealException.class);
    }

    @Test
    void aLabelClaimsButOnlyTheConfigurationGrants() throws Exception {
        // when
        List<Subscription> credit = new NamespaceDiscovery(config, access).subscriptions("credit-ml");

        // then: 'stolen' is not the seed name of an environment, ghcr is not credit-ml's, evil.test is not its domain
        assertThat(credit).containsExactly(
                new Subscription("dev", "credit-ml-dev", "cluster-a", List.of("ml-platform"), List.of("lead@example.com")),
                new Subscription("dev", "credit-ml-dev", "cluster-b", List.of("ml-platform"), List.of()),
                new Subscription("production", "credit-ml", "cluster-b", List.of("ml-platform"), List.of()));
        // and: a workflow that is not configured has no subscribers at all, however its namespaces are labelled
        assertThat(new NamespaceDiscovery(config, access).subscriptions("payments")).isEmpty();
    }

    @Test
    void twoNamespacesClaimingOneEnvironmentFailItNamingBothWhileTheOthersAreSealed() throws Exception {
        // when
        List<RotationEvent<?>> out = stage().handle(RotationEvent.forRotation("rotation-3", EventType.REQUESTED, "/test",
                "credit-ml", OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRequested("credit-ml", List.of(), List.of(), "credit-team@example.com", null, null, null)));

        // then
        assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.SEALED, EventType.FAILED);
        assertThat(out.get(0).dataAs(RotationSealed.class).environments()).extracting(RotationSealed.Environment::name)
                .containsExactly("production");
        RotationFailed failed = out.get(1).dataAs(RotationFailed.class);
        assertThat(failed.errorCode()).isEqualTo("ambiguous-environment");
        assertThat(failed.rotationId()).isEqualTo("rotation-3");
        assertThat(failed.message()).contains("environment 'dev'", "credit-ml-dev in cluster-a", "credit-ml-dev in cluster-b");
        // and: asked for dev alone, the rotation fails as a whole
        assertThatThrownBy(() -> stage().handle(RotationEvent.forRotation("rotation-4", EventType.REQUESTED, "/test",
                "credit-ml", OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRequested("credit-ml", List.of("dev"), List.of(), "credit-team@example.com", null, null, null))))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("ambiguous-environment"));
    }

    @Test
    void aMissingSecretOrKeyFailsNamingBundleKeyAndSecret() {
        // given
        ValueResolver values = values();

        // when / then
        assertThatThrownBy(() -> values.resolve(config.bundle("missing").orElseThrow()))
                .isInstanceOf(PermanentStageException.class)
                .hasMessage("bundle missing, key password: key 'no-such-key' of Secret vault/database in cluster cluster-b: "
                        + "the Secret has no such key");
        assertThatThrownBy(() -> values.resolve(config.bundle("gone").orElseThrow()))
                .isInstanceOf(PermanentStageException.class)
                .hasMessage("bundle gone, key password: key 'password' of Secret vault/no-such-secret in cluster cluster-b: "
                        + "the Secret does not exist");
    }

    private static SealerStage stage() {
        return new SealerStage(config, new NamespaceDiscovery(config, access),
                new CertificateSource(config.clusters(), access, Clock.systemUTC(), (c, cert) -> { }), values(),
                new SecretSealer(new HybridEncryption(), Clock.systemUTC()), POOL);
    }

    private static RotationSealed seal(String workflow) throws Exception {
        SealerStage stage = stage();
        RotationRequested request = new RotationRequested(workflow, List.of(), List.of(), "ml-team@example.com", null, null, null);
        return stage.handle(RotationEvent.forRotation("rotation-2", EventType.REQUESTED, "/test", workflow,
                OffsetDateTime.now(ZoneOffset.UTC), request)).get(0).dataAs(RotationSealed.class);
    }

    private static ValueResolver values() {
        return new ValueResolver(name -> null, access, "cluster-a", new SecureRandom());
    }

    private static void namespace(EmbeddedKubernetes cluster, String name, Map<String, String> labels, Map<String, String> annotations) {
        cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .withLabels(labels).withAnnotations(annotations).endMetadata().build()).create();
    }
}

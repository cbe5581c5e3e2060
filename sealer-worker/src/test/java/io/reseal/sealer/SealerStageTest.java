package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationIds;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.crypto.UnsealException;
import io.reseal.sealer.kube.CertificateSource;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.kube.NamespaceDiscovery;
import io.reseal.sealer.manifest.SecretSealer;
import io.reseal.sealer.values.Generator;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealerStageTest {

    private static final String TOKEN = "env-token-value";
    private static final ControllerKeyPair DEV = TestControllers.key(0);
    private static final ControllerKeyPair PRODUCTION = TestControllers.key(1);

    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private final ForkJoinPool pool = new ForkJoinPool(2);
    private SealerStage stage;

    @BeforeEach
    void configure() throws IOException {
        Path devCert = Files.writeString(dir.resolve("dev.pem"), DEV.certificatePem());
        Path prodCert = Files.writeString(dir.resolve("prod.pem"), PRODUCTION.certificatePem());
        List<ClusterConfig> clusters = List.of(
                new ClusterConfig("dev-cluster", null, false, new CertificateConfig.FromFile(devCert.toString(), null)),
                new ClusterConfig("prod-cluster", null, false, new CertificateConfig.FromFile(prodCert.toString(), null)));
        Map<String, ValueSource> mlPlatform = new LinkedHashMap<>();
        mlPlatform.put("endpoint", new ValueSource.Literal("https://mlflow.example.com"));
        mlPlatform.put("token", new ValueSource.Env("ML_TOKEN"));
        mlPlatform.put("password", new ValueSource.Generated(new Generator(Generator.Kind.PASSWORD, 32, null)));
        List<BundleConfig> bundles = List.of(
                new BundleConfig("ml-platform", null, null, null, mlPlatform),
                new BundleConfig("ghcr", "kubernetes.io/dockerconfigjson", SecretScope.NAMESPACE_WIDE, "ghcr-pull",
                        Map.of(".dockerconfigjson", new ValueSource.Generated(new Generator(Generator.Kind.TOKEN, 40, null)))),
                new BundleConfig("unset", null, null, null, Map.of("key", new ValueSource.Env("NOT_SET"))));
        Map<String, EnvironmentConfig> environments = new LinkedHashMap<>();
        environments.put("dev", new EnvironmentConfig("dev-cluster", null, null, List.of("dev-lead@example.com")));
        environments.put("production", new EnvironmentConfig("prod-cluster", null, null, null));
        List<WorkflowConfig> workflows = List.of(
                new WorkflowConfig("financial-ml", "ml-team@example.com", List.of("ml-platform", "ghcr"), environments, null),
                new WorkflowConfig("broken", "ml-team@example.com", List.of("unset"),
                        Map.of("dev", new EnvironmentConfig("dev-cluster", null, null, null)), null));
        SealerConfig config = new SealerConfig(clusters, bundles, workflows);
        ClusterAccess access = new ClusterAccess(clusters);
        stage = new SealerStage(config, new NamespaceDiscovery(config, access),
                new CertificateSource(clusters, access, clock, (cluster, certificate) -> { }),
                new ValueResolver(Map.of("ML_TOKEN", TOKEN)::get, access, "dev-cluster", new SecureRandom()),
                new SecretSealer(new HybridEncryption(), clock), pool);
    }

    @AfterEach
    void stopPool() {
        pool.shutdown();
    }

    @Test
    void sealsEveryEnvironmentWithItsOwnClustersCertificate() throws Exception {
        // when
        RotationSealed sealed = handle(request("financial-ml", List.of(), List.of()));

        // then
        assertThat(sealed.environments()).extracting(RotationSealed.Environment::name, RotationSealed.Environment::namespace,
                        RotationSealed.Environment::cluster, RotationSealed.Environment::certificateFingerprint)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("dev", "financial-ml-dev", "dev-cluster", DEV.sealingCertificate().fingerprint()),
                        org.assertj.core.groups.Tuple.tuple("production", "financial-ml", "prod-cluster",
                                PRODUCTION.sealingCertificate().fingerprint()));
        assertThat(environment(sealed, "dev").contacts()).containsExactly("dev-lead@example.com");
        String devManifest = manifest(sealed, "dev", "ml-platform");
        String prodManifest = manifest(sealed, "production", "ml-platform");
        assertThat(TestControllers.unseal(devManifest, DEV)).containsKeys("endpoint", "token", "password");
        assertThat(TestControllers.unseal(prodManifest, PRODUCTION)).containsKeys("endpoint", "token", "password");
        assertThatThrownBy(() -> TestControllers.unseal(devManifest, PRODUCTION)).isInstanceOf(UnsealException.class);
        assertThatThrownBy(() -> TestControllers.unseal(prodManifest, DEV)).isInstanceOf(UnsealException.class);
    }

    @Test
    void everyNamespaceOfARotationGetsTheSameValues() throws Exception {
        // when
        RotationSealed sealed = handle(request("financial-ml", List.of(), List.of()));

        // then
        Map<String, String> dev = TestControllers.unseal(manifest(sealed, "dev", "ml-platform"), DEV);
        Map<String, String> production = TestControllers.unseal(manifest(sealed, "production", "ml-platform"), PRODUCTION);
        assertThat(dev).isEqualTo(production);
        assertThat(dev.get("endpoint")).isEqualTo("https://mlflow.example.com");
        assertThat(dev.get("token")).isEqualTo(TOKEN);
        assertThat(dev.get("password")).hasSize(32);
        assertThat(TestControllers.unseal(manifest(sealed, "dev", "ghcr-pull"), DEV))
                .isEqualTo(TestControllers.unseal(manifest(sealed, "production", "ghcr-pull"), PRODUCTION));
    }

    @Test
    void everyRotationGeneratesFreshValues() throws Exception {
        // when
        RotationSealed first = handle(request("financial-ml", List.of("dev"), List.of()));
        RotationSealed second = handle(request("financial-ml", List.of("dev"), List.of()));

        // then
        assertThat(TestControllers.unseal(manifest(first, "dev", "ml-platform"), DEV).get("password"))
                .isNotEqualTo(TestControllers.unseal(manifest(second, "dev", "ml-platform"), DEV).get("password"));
    }

    @Test
    void describesEachSecretByNameTypeScopeAndKeysOnly() throws Exception {
        // when
        RotationSealed sealed = handle(request("financial-ml", List.of("dev"), List.of()));

        // then
        RotationSealed.Secret ghcr = environment(sealed, "dev").secrets().get(1);
        assertThat(ghcr.name()).isEqualTo("ghcr-pull");
        assertThat(ghcr.type()).isEqualTo("kubernetes.io/dockerconfigjson");
        assertThat(ghcr.scope()).isEqualTo(SecretScope.NAMESPACE_WIDE);
        assertThat(ghcr.keys()).containsExactly(".dockerconfigjson");
        assertThat(ghcr.manifest()).contains("sealedsecrets.bitnami.com/namespace-wide: \"true\"")
                .contains("type: kubernetes.io/dockerconfigjson");
        assertThat(ghcr.manifest().split("reseal.io/rotation-id: rotation-1", -1))
                .as("the rotation id on the SealedSecret and on its template").hasSize(3);
        assertThat(sealed.toString()).doesNotContain(TOKEN);
    }

    @Test
    void aRequestNamingEnvironmentsIsLimitedToThem() throws Exception {
        // when
        RotationSealed sealed = handle(request("financial-ml", List.of("production"), List.of()));

        // then
        assertThat(sealed.environments()).extracting(RotationSealed.Environment::name).containsExactly("production");
    }

    @Test
    void aRequestNamingBundlesIsLimitedToThem() throws Exception {
        // when
        RotationSealed sealed = handle(request("financial-ml", List.of(), List.of("ghcr")));

        // then
        assertThat(sealed.environments()).allSatisfy(env ->
                assertThat(env.secrets()).extracting(RotationSealed.Secret::name).containsExactly("ghcr-pull"));
    }

    @Test
    void anUnknownWorkflowFailsForGood() {
        assertThatThrownBy(() -> handle(request("unknown-ml", List.of(), List.of())))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("unknown-workflow"))
                .hasMessage("unknown workflow 'unknown-ml': it is not configured and no namespace is labelled "
                        + "reseal.io/workflow=unknown-ml");
    }

    @Test
    void anEnvironmentWithoutSubscribedNamespaceFailsTheWholeRotation() {
        assertThatThrownBy(() -> handle(request("financial-ml", List.of("dev", "staging"), List.of())))
                .isInstanceOfSatisfying(PermanentStageException.class,
                        e -> assertThat(e.code()).isEqualTo("no-subscribed-namespace"))
                .hasMessage("environment 'staging' of workflow 'financial-ml' has no subscribed namespace "
                        + "(known: dev, production)");
    }

    @Test
    void anUnknownBundleFailsTheWholeRotation() {
        assertThatThrownBy(() -> handle(request("financial-ml", List.of(), List.of("ml-platform", "vault"))))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("unknown-bundle"))
                .hasMessage("unknown bundle 'vault'");
        assertThatThrownBy(() -> handle(request("financial-ml", List.of(), List.of("unset"))))
                .isInstanceOf(PermanentStageException.class)
                .hasMessage("no requested environment of workflow 'financial-ml' receives bundle 'unset'");
    }

    @Test
    void aMissingValueFailsTheRotationNamingBundleAndKey() {
        assertThatThrownBy(() -> handle(request("broken", List.of(), List.of())))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("missing-value"))
                .hasMessage("bundle unset, key key: environment variable NOT_SET is not set");
    }

    @Test
    void anInvalidRequestFailsNamingTheField() {
        assertThatThrownBy(() -> handle(new RotationRequested("financial-ml", List.of(), List.of(), "not an address",
                null, null, null)))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("invalid-request"))
                .hasMessageStartingWith("requestor: ");
    }

    @Test
    void aForgedRecordCannotUseUpTheIdOfAComingScheduledRotationOrKeyRenewal() {
        Instant nextYear = Instant.now().plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.HOURS);
        String futureSlot = RotationIds.scheduled("financial-ml", nextYear);
        String renewal = RotationIds.keyRenewal("dev-cluster", "0".repeat(64), "financial-ml");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);

        // an ad-hoc request carrying a future slot's id, or a renewal's id
        for (String id : List.of(futureSlot, renewal)) {
            assertThatThrownBy(() -> stage.handle(RotationEvent.forRotation(id, EventType.REQUESTED, "/hostile",
                    "financial-ml", now, request("financial-ml", List.of("dev"), List.of()))))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("forged-rotation-id"))
                    .hasMessageContaining("is reserved for scheduled and key-renewal rotations");
        }
        // a scheduled request for a slot that is not due, and one whose id is not its slot's
        assertThatThrownBy(() -> stage.handle(RotationEvent.forRotation(futureSlot, EventType.REQUESTED, "/hostile",
                "financial-ml", OffsetDateTime.ofInstant(nextYear, ZoneOffset.UTC), triggered(Trigger.SCHEDULED))))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("forged-rotation-id"))
                .hasMessageContaining("is not due yet");
        assertThatThrownBy(() -> stage.handle(RotationEvent.forRotation(futureSlot, EventType.REQUESTED, "/hostile",
                "financial-ml", now, triggered(Trigger.SCHEDULED))))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("forged-rotation-id"));
        // a key-renewal request for a fingerprint no cluster has
        assertThatThrownBy(() -> stage.handle(RotationEvent.forRotation(renewal, EventType.REQUESTED, "/hostile",
                "financial-ml", now, triggered(Trigger.KEY_RENEWAL))))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("forged-rotation-id"));
    }

    @Test
    void aDueScheduledRequestAndARenewalToTheCurrentKeyAreSealed() throws Exception {
        Instant slot = Instant.now().truncatedTo(ChronoUnit.HOURS);
        assertThat(stage.handle(RotationEvent.forRotation(RotationIds.scheduled("financial-ml", slot), EventType.REQUESTED,
                "/test", "financial-ml", OffsetDateTime.ofInstant(slot, ZoneOffset.UTC), triggered(Trigger.SCHEDULED))))
                .singleElement().satisfies(e -> assertThat(e.type()).isEqualTo(EventType.SEALED));
        String renewal = RotationIds.keyRenewal("dev-cluster", DEV.sealingCertificate().fingerprint(), "financial-ml");
        assertThat(stage.handle(RotationEvent.forRotation(renewal, EventType.REQUESTED, "/test", "financial-ml",
                OffsetDateTime.now(ZoneOffset.UTC), triggered(Trigger.KEY_RENEWAL))))
                .singleElement().satisfies(e -> assertThat(e.type()).isEqualTo(EventType.SEALED));
    }

    private static RotationRequested triggered(Trigger trigger) {
        return new RotationRequested("financial-ml", List.of("dev"), List.of(), "ml-team@example.com", "test", trigger, null);
    }

    private RotationSealed handle(RotationRequested request) throws Exception {
        List<RotationEvent<?>> out = stage.handle(RotationEvent.forRotation("rotation-1", EventType.REQUESTED, "/test",
                request.workflow(), OffsetDateTime.now(ZoneOffset.UTC), request));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).type()).isEqualTo(EventType.SEALED);
        assertThat(out.get(0).id()).isEqualTo("rotation-1.sealed");
        return out.get(0).dataAs(RotationSealed.class);
    }

    private static RotationRequested request(String workflow, List<String> environments, List<String> bundles) {
        return new RotationRequested(workflow, environments, bundles, "ml-team@example.com", "test", null, null);
    }

    private static RotationSealed.Environment environment(RotationSealed sealed, String name) {
        return sealed.environments().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private static String manifest(RotationSealed sealed, String environment, String secret) {
        return environment(sealed, environment).secrets().stream().filter(s -> s.name().equals(secret)).findFirst()
                .orElseThrow().manifest();
    }
}

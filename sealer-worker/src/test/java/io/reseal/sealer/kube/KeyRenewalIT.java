package io.reseal.sealer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.reseal.embedded.EmbeddedKubernetes;
import io.reseal.embedded.MutableClock;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.ClusterConfig.ControllerRef;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.TestControllers;
import io.reseal.sealer.crypto.SealingCertificate;
import io.reseal.sealer.values.ValueSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller renewing its key, seen through the service proxy: the certificate source notices on its
 * next refresh, and every workflow with a namespace in that cluster gets one key-renewal rotation per new
 * fingerprint. The clock is moved by hand; nothing sleeps.
 */
class KeyRenewalIT {

    private static final Duration REFRESH = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    private final EmbeddedKubernetes cluster = new EmbeddedKubernetes();
    private final MutableClock clock = new MutableClock(Instant.now());
    private final List<RotationEvent<RotationRequested>> published = new CopyOnWriteArrayList<>();
    private SealerConfig config;
    private ClusterAccess access;
    private CertificateSource certificates;

    @BeforeEach
    void start() throws Exception {
        cluster.start();
        serve(0);
        Path otherCert = Files.writeString(dir.resolve("other.pem"), TestControllers.key(3).certificatePem());
        List<ClusterConfig> clusters = List.of(
                new ClusterConfig("dev-cluster", null, false,
                        new CertificateConfig.FromController(new ControllerRef(null, null), REFRESH)),
                new ClusterConfig("other-cluster", null, false, new CertificateConfig.FromFile(otherCert.toString(), REFRESH)));
        config = new SealerConfig(clusters,
                List.of(new BundleConfig("ml-platform", null, null, null, Map.of("k", new ValueSource.Literal("v")))),
                List.of(workflow("financial-ml", "dev-cluster"), workflow("payments", "dev-cluster"),
                        workflow("elsewhere", "other-cluster")));
        access = new ClusterAccess(clusters, Map.of("dev-cluster", cluster.client()));
        KeyRenewal renewal = new KeyRenewal(config, new NamespaceDiscovery(config, access), published::add, clock);
        certificates = new CertificateSource(clusters, access, clock, renewal::renewed);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void aNewControllerKeyRequestsOneKeyRenewalRotationPerAffectedWorkflowOnce() throws Exception {
        // given: the baseline
        String first = certificates.current("dev-cluster").fingerprint();
        certificates.refreshAll();
        assertThat(published).isEmpty();

        // when: the controller renews its key; the cached certificate is still trusted until the refresh is due
        serve(1);
        clock.advance(REFRESH.minusSeconds(1));
        assertThat(certificates.current("dev-cluster").fingerprint()).isEqualTo(first);
        assertThat(published).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        String renewed = certificates.current("dev-cluster").fingerprint();

        // then
        assertThat(renewed).isEqualTo(TestControllers.key(1).sealingCertificate().fingerprint()).isNotEqualTo(first);
        assertThat(published).extracting(RotationEvent::subject).containsExactly("financial-ml", "payments");
        assertThat(published).allSatisfy(event -> {
            RotationRequested data = event.data();
            assertThat(data.trigger()).isEqualTo(Trigger.KEY_RENEWAL);
            assertThat(data.environments()).containsExactly("dev");
            assertThat(data.requestor()).isEqualTo("ml-team@example.com");
            assertThat(data.reason()).contains("dev-cluster").contains(renewed.substring(0, 16));
        });

        // when: later checks see the same key again
        clock.advance(REFRESH.plusSeconds(1));
        certificates.refreshAll();
        certificates.current("dev-cluster");

        // then: nothing new
        assertThat(published).hasSize(2);
    }

    @Test
    void aControllerFlappingBetweenKnownKeysAnnouncesNothingTwiceButANewKeyAgain() throws Exception {
        // given
        certificates.refreshAll();
        serve(1);
        refreshLater();
        assertThat(published).hasSize(2);

        // when: back to the old key, then the new one again
        serve(0);
        refreshLater();
        serve(1);
        refreshLater();

        // then
        assertThat(published).hasSize(2);

        // when: a third key
        serve(2);
        refreshLater();

        // then
        assertThat(published).hasSize(4);
        assertThat(published.get(2).rotationId()).isNotEqualTo(published.get(0).rotationId());
    }

    @Test
    void aKeyRenewedWhileTheSealerWasDownIsNoticedOnTheFirstFetchAfterARestart() throws Exception {
        // given: earlier rotations were sealed with key 0 (as read back from the sealed topic at start-up)
        certificates.rememberSealedWith("dev-cluster", TestControllers.key(0).sealingCertificate().fingerprint());
        // when: the first fetch of this process already sees key 1
        serve(1);
        certificates.current("dev-cluster");
        // then
        assertThat(published).extracting(RotationEvent::subject).containsExactly("financial-ml", "payments");
    }

    @Test
    void withoutHistoryTheFirstFetchIsOnlyTheBaseline() throws Exception {
        // given: no rotation was sealed before
        serve(1);
        // when
        certificates.current("dev-cluster");
        // then
        assertThat(published).isEmpty();
    }

    @Test
    void replicasSeeingTheSameRenewalRequestTheSameRotations() {
        // given: two replicas of the sealer
        KeyRenewal one = new KeyRenewal(config, new NamespaceDiscovery(config, access), published::add, clock);
        KeyRenewal other = new KeyRenewal(config, new NamespaceDiscovery(config, access), published::add, clock);
        SealingCertificate renewed = TestControllers.key(1).sealingCertificate();

        // when
        one.renewed("dev-cluster", renewed);
        other.renewed("dev-cluster", renewed);

        // then: downstream, the second pair is a duplicate of the first
        assertThat(published).hasSize(4);
        assertThat(published.subList(2, 4)).extracting(RotationEvent::id, RotationEvent::rotationId)
                .isEqualTo(published.subList(0, 2).stream().map(e -> tuple(e.id(), e.rotationId())).toList());
        assertThat(published.get(0).rotationId()).isNotEqualTo(published.get(1).rotationId());
    }

    private void refreshLater() throws Exception {
        clock.advance(REFRESH.plusSeconds(1));
        certificates.refreshAll();
    }

    private void serve(int key) {
        cluster.serveControllerCertificate("kube-system", "sealed-secrets-controller", TestControllers.key(key).certificatePem());
    }

    private static WorkflowConfig workflow(String name, String cluster) {
        return new WorkflowConfig(name, "ml-team@example.com", List.of("ml-platform"),
                Map.of("dev", new EnvironmentConfig(cluster, null, null, null)), null);
    }
}

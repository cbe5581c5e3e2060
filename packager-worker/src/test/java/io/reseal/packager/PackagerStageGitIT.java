package io.reseal.packager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.embedded.EmbeddedGitServer;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.embedded.EmbeddedSshGitServer;
import io.reseal.embedded.MutableClock;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.delivery.GitDeliveries;
import io.reseal.packager.delivery.SshTestKeys;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.config.CredentialSource;
import io.reseal.pipeline.config.DeliveryConfig;
import io.reseal.pipeline.config.GitDeliveryConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.RetriableStageException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packager stage with a workflow that delivers to Git: real S3 (s3proxy) and real Git servers (JGit's, over HTTP and SSH). */
class PackagerStageGitIT {

    static final String TOKEN = "glpat-StageGitToken-77e0c1d9b3";
    static final Duration PATIENCE = Duration.ofMinutes(2);

    @TempDir
    static Path root;

    static EmbeddedS3 s3;
    static EmbeddedGitServer git;
    static EmbeddedSshGitServer ssh;
    static PackageBuilder builder;

    @BeforeAll
    static void start() throws Exception {
        s3 = new EmbeddedS3("reseal-test", "reseal-test-secret-0123456789");
        s3.start();
        git = new EmbeddedGitServer(root.resolve("git"), "reseal-bot", TOKEN);
        ssh = new EmbeddedSshGitServer(root.resolve("ssh"), "git", SshTestKeys.generate().getPublic());
        builder = new PackageBuilder(PackageSigner.generate(root));
    }

    @AfterAll
    static void stop() throws Exception {
        git.close();
        ssh.close();
        s3.close();
    }

    @Test
    void aCommittedRotationsPackagedEventNamesRepositoryBranchAndCommit() throws Exception {
        URI url = git.createRepository("stage-ok");
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed());
        try (PackageStore store = new PackageStore(config(), Clock.systemUTC())) {
            List<RotationEvent<?>> out = new PackagerStage(builder, store, deliveries(url)).handle(sealed);

            assertThat(out).singleElement().satisfies(event -> assertThat(event.type()).isEqualTo(EventType.PACKAGED));
            RotationPackaged.GitDelivery delivered = out.get(0).dataAs(RotationPackaged.class).git();
            assertThat(delivered.repository()).isEqualTo(url.toString());
            assertThat(delivered.branch()).isEqualTo("main");
            try (Repository repository = FileRepositoryBuilder.create(git.directory("stage-ok").toFile())) {
                assertThat(repository.resolve("refs/heads/main").name()).isEqualTo(delivered.commit());
            }

            // redelivered: the same event, no second commit
            List<RotationEvent<?>> again = new PackagerStage(builder, store, deliveries(url)).handle(sealed);
            assertThat(again.get(0).dataAs(RotationPackaged.class).git()).isEqualTo(delivered);
        }
    }

    @Test
    void aRefusedPushStillPackagesAndAddsAFailedRecordNamingTheRepositoryAndTheReason() throws Exception {
        URI url = git.createRepository("stage-protected");
        git.protectBranch("stage-protected", "main");
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed());
        try (PackageStore store = new PackageStore(config(), Clock.systemUTC())) {
            List<RotationEvent<?>> out = new PackagerStage(builder, store, deliveries(url)).handle(sealed);

            assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.PACKAGED, EventType.FAILED);
            RotationPackaged packaged = out.get(0).dataAs(RotationPackaged.class);
            assertThat(packaged.downloadUrl()).isNotBlank(); // the archive still goes out
            assertThat(packaged.git().commit()).isNull();
            assertThat(packaged.git().failure()).contains(url.toString(), EmbeddedGitServer.PROTECTED_MESSAGE);
            RotationFailed failed = out.get(1).dataAs(RotationFailed.class);
            assertThat(failed.stage()).isEqualTo("packager");
            assertThat(failed.errorCode()).isEqualTo(GitDeliveries.REFUSED);
            assertThat(failed.rotationId()).isEqualTo(SampleRotation.ROTATION_ID);
            assertThat(failed.message()).contains(url.toString(), "refused").doesNotContain(TOKEN);
        }
    }

    @Test
    void aRefusedSshLoginStillPackagesAndAddsAFailedRecordNamingTheRepository() throws Exception {
        URI url = ssh.createRepository("stage-ssh");
        // the server knows another key than the one the packager has
        WorkflowConfig workflow = sshWorkflow(url, null, ssh.hostKeyFingerprint());
        GitDeliveries deliveries = GitDeliveries.of(List.of(workflow),
                Map.of("GIT_SSH_KEY", SshTestKeys.openSsh(SshTestKeys.generate(), null))::get, Clock.systemUTC(), PATIENCE);
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed());
        try (PackageStore store = new PackageStore(config(), Clock.systemUTC())) {
            List<RotationEvent<?>> out = new PackagerStage(builder, store, deliveries).handle(sealed);

            assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.PACKAGED, EventType.FAILED);
            RotationPackaged packaged = out.get(0).dataAs(RotationPackaged.class);
            assertThat(packaged.downloadUrl()).isNotBlank(); // the archive still goes out
            assertThat(packaged.git().commit()).isNull();
            RotationFailed failed = out.get(1).dataAs(RotationFailed.class);
            assertThat(failed.errorCode()).isEqualTo(GitDeliveries.REFUSED);
            assertThat(failed.message()).contains(url.toString(), "Cannot log in").doesNotContain("PRIVATE KEY");
        }
    }

    @Test
    void knownHostsWithoutALineForTheServerIsAConfigurationErrorNamingTheKey() {
        URI url = URI.create("ssh://git@git.example.com/financial/deploy.git");
        WorkflowConfig workflow = sshWorkflow(url, new CredentialSource(
                "gitlab.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", null, null),
                null);
        Map<String, String> env = Map.of("GIT_SSH_KEY", SshTestKeys.openSsh(SshTestKeys.generate(), null));

        assertThatThrownBy(() -> GitDeliveries.of(List.of(workflow), env::get, Clock.systemUTC(), PATIENCE))
                .hasMessage("workflows.financial-ml.delivery.git.knownHosts: no line for git.example.com (a literal)");
    }

    @Test
    void anUnreachableRepositoryIsRetriable() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + closedPort() + "/git/gone.git");
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed());
        try (PackageStore store = new PackageStore(config(), Clock.systemUTC())) {
            assertThatThrownBy(() -> new PackagerStage(builder, store, deliveries(url)).handle(sealed))
                    .isInstanceOfSatisfying(RetriableStageException.class, e -> {
                        assertThat(e.code()).isEqualTo(GitDeliveries.UNREACHABLE);
                        assertThat(e.getMessage()).contains(url.toString()).doesNotContain(TOKEN);
                    });
        }
    }

    @Test
    void aRepositoryStillUnreachableAfterThePatienceLetsTheRotationGoOutWithAFailedRecord() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + closedPort() + "/git/gone.git");
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed());
        MutableClock clock = new MutableClock(Instant.parse("2026-11-29T04:00:10Z"));
        try (PackageStore store = new PackageStore(config(), Clock.systemUTC())) {
            PackagerStage stage = new PackagerStage(builder, store, deliveries(url, clock));
            assertThatThrownBy(() -> stage.handle(sealed)).isInstanceOf(RetriableStageException.class);
            clock.advance(PATIENCE.minusSeconds(1));
            assertThatThrownBy(() -> stage.handle(sealed)).isInstanceOf(RetriableStageException.class);
            clock.advance(Duration.ofSeconds(1));

            List<RotationEvent<?>> out = stage.handle(sealed);

            assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.PACKAGED, EventType.FAILED);
            assertThat(out.get(0).dataAs(RotationPackaged.class).git().commit()).isNull();
            RotationFailed failed = out.get(1).dataAs(RotationFailed.class);
            assertThat(failed.errorCode()).isEqualTo(GitDeliveries.UNREACHABLE);
            assertThat(failed.message()).contains(url.toString(), "goes out without its commit");
        }
    }

    @Test
    void aMissingTokenVariableIsAConfigurationErrorNamingTheKey() {
        WorkflowConfig workflow = workflow(URI.create("https://git.example.com/deploy.git"));

        assertThatThrownBy(() -> GitDeliveries.of(List.of(workflow), name -> null, Clock.systemUTC(), PATIENCE))
                .hasMessageContaining("workflows.financial-ml.delivery.git.credentials.password")
                .hasMessageContaining("environment variable GIT_TOKEN");
    }

    private static WorkflowConfig sshWorkflow(URI url, CredentialSource knownHosts, String fingerprint) {
        return new WorkflowConfig("financial-ml", null, List.of("ml-platform"),
                Map.of("dev", new WorkflowConfig.EnvironmentConfig(null, null, null, null)), null,
                new DeliveryConfig(new GitDeliveryConfig(url, "main", "secrets/financial-ml", null,
                        GitDeliveryConfig.GitCredentialsConfig.sshKey(new CredentialSource(null, "GIT_SSH_KEY", null), null),
                        knownHosts, fingerprint)), null, null);
    }

    private static GitDeliveries deliveries(URI url) {
        return deliveries(url, Clock.systemUTC());
    }

    private static GitDeliveries deliveries(URI url, Clock clock) {
        return GitDeliveries.of(List.of(workflow(url)), Map.of("GIT_TOKEN", TOKEN)::get, clock, PATIENCE);
    }

    private static WorkflowConfig workflow(URI url) {
        return new WorkflowConfig("financial-ml", null, List.of("ml-platform"),
                Map.of("dev", new WorkflowConfig.EnvironmentConfig(null, null, null, null)), null,
                new DeliveryConfig(new GitDeliveryConfig(url, "main", "secrets/financial-ml", null,
                        new GitDeliveryConfig.GitCredentialsConfig(new CredentialSource("reseal-bot", null, null),
                                new CredentialSource(null, "GIT_TOKEN", null)))), null, null);
    }

    private static int closedPort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static PackagerConfig config() {
        return new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(), s3.secretKey(),
                "stage-git", true, null, root.resolve(PackageSigner.PRIVATE_KEY_FILE));
    }
}

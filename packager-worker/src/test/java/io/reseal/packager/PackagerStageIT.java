package io.reseal.packager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.embedded.EmbeddedS3;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.archive.PackageVerifier;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackagerStageIT {

    @TempDir
    static Path keys;

    static EmbeddedS3 s3;
    static PackageSigner signer;

    @BeforeAll
    static void start() throws Exception {
        s3 = new EmbeddedS3("reseal-test", "reseal-test-secret-0123456789");
        s3.start();
        signer = PackageSigner.generate(keys);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        Path log = Path.of(System.getProperty("reseal.test.log", "target/test-logs/reseal-test.log"));
        if (Files.exists(log)) {
            assertThat(Files.readString(log)).doesNotContain(s3.secretKey());
        }
    }

    @Test
    void packagesASealedRotationIntoOnePackagedEventWhoseLinkDownloadsAVerifiablePackage() throws Exception {
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed());
        try (PackageStore store = new PackageStore(config(s3.endpoint()), Clock.systemUTC())) {
            List<RotationEvent<?>> out = new PackagerStage(new PackageBuilder(signer), store).handle(sealed);

            assertThat(out).singleElement().satisfies(event -> {
                assertThat(event.id()).isEqualTo(SampleRotation.ROTATION_ID + ".packaged");
                assertThat(event.type()).isEqualTo(EventType.PACKAGED);
                assertThat(event.source()).isEqualTo(URI.create("/reseal/packager-worker"));
                assertThat(event.subject()).isEqualTo("financial-ml");
                assertThat(event.rotationId()).isEqualTo(SampleRotation.ROTATION_ID);
                assertThat(event.time()).isEqualTo(sealed.time());
            });
            RotationPackaged packaged = out.get(0).dataAs(RotationPackaged.class);
            assertThat(packaged.bucket()).isEqualTo("stage");
            assertThat(packaged.objectKey()).isEqualTo(
                    "financial-ml/" + SampleRotation.ROTATION_ID + "/financial-ml-ml-secrets-20261129.tar.gz");
            assertThat(packaged.archiveName()).isEqualTo("financial-ml-ml-secrets-20261129.tar.gz");
            assertThat(packaged.signerKeyFingerprint()).isEqualTo(signer.fingerprint());
            assertThat(packaged.recipients())
                    .containsExactly("requestor@example.com", "ml-dev@example.com", "ml-prod@example.com");
            assertThat(packaged.environments()).extracting(RotationPackaged.Environment::name)
                    .containsExactly("dev", "production");
            assertThat(packaged.environments().get(0).secrets()).extracting(RotationPackaged.Secret::name)
                    .containsExactly("ml-platform", "ghcr");
            assertThat(packaged.environments().get(0).secrets().get(0).keys())
                    .containsExactlyElementsOf(SampleRotation.ML_PLATFORM_KEYS);
            assertThat(packaged.requestedAt()).isEqualTo(SampleRotation.REQUESTED_AT);

            byte[] downloaded = PackageStoreIT.get(URI.create(packaged.downloadUrl())).body();
            assertThat(downloaded).hasSize((int) packaged.size());
            assertThat(PackageStoreIT.sha256(downloaded)).isEqualTo(packaged.sha256());
            assertThat(PackageVerifier.withPublicKey(signer.publicKey())
                    .verify(new ByteArrayInputStream(downloaded)).problems()).isEmpty();
        }
    }

    @Test
    void redeliveryGivesTheSameEventApartFromTheLink() throws Exception {
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed("redelivered-1"));
        try (PackageStore store = new PackageStore(config(s3.endpoint()), Clock.systemUTC())) {
            RotationEvent<?> first = new PackagerStage(new PackageBuilder(signer), store).handle(sealed).get(0);
            RotationEvent<?> again = new PackagerStage(
                    new PackageBuilder(PackageSigner.load(keys.resolve(PackageSigner.PRIVATE_KEY_FILE))), store)
                    .handle(sealed).get(0);

            assertThat(again).usingRecursiveComparison()
                    .ignoringFields("data.downloadUrl", "data.expiresAt")
                    .isEqualTo(first);
            assertThat(again.dataAs(RotationPackaged.class).sha256())
                    .isEqualTo(first.dataAs(RotationPackaged.class).sha256());
        }
    }

    @Test
    void oneStageCalledForManyRotationsAtOnceStoresEachVerifiablePackageUnderItsOwnKey() throws Exception {
        // given: one stage, as the stage loop shares it between its handler threads (kafka.concurrency.packager)
        int rotations = 16;
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(8);
        try (PackageStore store = new PackageStore(config(s3.endpoint()), Clock.systemUTC())) {
            PackagerStage stage = new PackagerStage(new PackageBuilder(signer), store);
            java.util.concurrent.CountDownLatch together = new java.util.concurrent.CountDownLatch(8);
            List<java.util.concurrent.Future<RotationPackaged>> calls = new java.util.ArrayList<>();
            // when
            for (int n = 0; n < rotations; n++) {
                RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed("concurrent-" + n));
                calls.add(threads.submit(() -> {
                    together.countDown();
                    together.await();
                    return stage.handle(sealed).get(0).dataAs(RotationPackaged.class);
                }));
            }
            // then
            for (int n = 0; n < rotations; n++) {
                RotationPackaged packaged = calls.get(n).get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(packaged.rotationId()).isEqualTo("concurrent-" + n);
                assertThat(packaged.objectKey()).startsWith("financial-ml/concurrent-" + n + "/");
                byte[] downloaded = PackageStoreIT.get(URI.create(packaged.downloadUrl())).body();
                assertThat(PackageStoreIT.sha256(downloaded)).isEqualTo(packaged.sha256());
                assertThat(PackageVerifier.withPublicKey(signer.publicKey())
                        .verify(new ByteArrayInputStream(downloaded)).problems()).isEmpty();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void s3DownIsRetriableAndTheSameEventSucceedsOnceItIsBack() throws Exception {
        RotationEvent<RotationSealed> sealed = PackagerStageTest.sealedEvent(SampleRotation.sealed("outage-1"));
        try (EmbeddedS3 flaky = new EmbeddedS3(s3.accessKey(), s3.secretKey());
                PackageStore store = new PackageStore(config(flaky.endpoint()), Clock.systemUTC())) {
            flaky.start();
            PackagerStage stage = new PackagerStage(new PackageBuilder(signer), store);
            stage.handle(PackagerStageTest.sealedEvent(SampleRotation.sealed("before-outage")));

            flaky.stop();
            assertThatThrownBy(() -> stage.handle(sealed))
                    .isInstanceOfSatisfying(RetriableStageException.class, e -> {
                        assertThat(e.code()).isEqualTo("s3-unavailable");
                        assertThat(e.getMessage()).contains(flaky.endpoint().toString())
                                .doesNotContain(s3.secretKey());
                    });

            flaky.start();
            RotationPackaged packaged = stage.handle(sealed).get(0).dataAs(RotationPackaged.class);
            assertThat(PackageStoreIT.get(URI.create(packaged.downloadUrl())).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aWrongSecretKeyIsAPermanentFailure() throws Exception {
        PackagerConfig wrong = new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(),
                "wrong-secret-key-0000", "stage", true, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
        try (PackageStore store = new PackageStore(wrong, Clock.systemUTC())) {
            PackagerStage stage = new PackagerStage(new PackageBuilder(signer), store);

            assertThatThrownBy(() -> stage.handle(PackagerStageTest.sealedEvent(SampleRotation.sealed())))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo("s3-access-denied");
                        assertThat(e.getMessage()).doesNotContain("wrong-secret-key-0000");
                    });
        }
    }

    private static PackagerConfig config(URI endpoint) {
        return new PackagerConfig(endpoint, null, null, s3.accessKey(), s3.secretKey(),
                "stage", true, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
    }
}

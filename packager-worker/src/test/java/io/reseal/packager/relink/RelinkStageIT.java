package io.reseal.packager.relink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.packager.PackagerConfig;
import io.reseal.packager.PackagerStage;
import io.reseal.packager.SampleRotation;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRelinked;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relinker against s3proxy: a fresh link to the archive the packager stored (the same bytes), the configured
 * expiry from now; a rotation never packaged and an archive deleted since are refused with their codes.
 */
class RelinkStageIT {

    @TempDir
    static Path keys;
    static EmbeddedS3 s3;

    @BeforeAll
    static void start() {
        s3 = new EmbeddedS3("reseal-test", "reseal-test-secret-0123456789");
        s3.start();
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void aStoredArchiveGetsAFreshLinkToTheSameBytesAndAGoneOneIsRefused() throws Exception {
        PackagerConfig config = new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(), s3.secretKey(), "relinks",
                true, Duration.ofMinutes(10), keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
        try (PackageStore store = new PackageStore(config, Clock.systemUTC())) {
            // given: the packager stored and announced a rotation
            RotationSealed sealed = SampleRotation.sealed();
            PackagerStage packager = new PackagerStage(new PackageBuilder(PackageSigner.generate(keys)), store);
            RotationEvent<?> packagedEvent = packager.handle(RotationEvent.forRotation(sealed.rotationId(),
                    EventType.SEALED, "/test", sealed.workflow(), OffsetDateTime.now(ZoneOffset.UTC), sealed)).get(0);
            RotationPackaged packaged = packagedEvent.dataAs(RotationPackaged.class);
            RelinkStage relinker = new RelinkStage(new PackagedRotations(() -> List.of(record(packagedEvent))), store);

            // when
            Instant before = Instant.now();
            List<RotationEvent<?>> out = relinker.handle(request(sealed.rotationId(), "key-1"));

            // then: one relinked event, the link downloads the stored archive, valid the configured expiry from now
            assertThat(out).hasSize(1);
            RotationRelinked relinked = out.get(0).dataAs(RotationRelinked.class);
            assertThat(out.get(0).id()).isEqualTo(relinked.relinkId() + ".relinked");
            assertThat(relinker.doneKey(out.get(0))).isEqualTo(RelinkData.relinkId(sealed.rotationId(), "key-1"));
            assertThat(relinked.sha256()).isEqualTo(packaged.sha256());
            assertThat(relinked.recipients()).isEqualTo(packaged.recipients());
            assertThat(relinked.expiresAt()).isAfterOrEqualTo(before.plus(Duration.ofMinutes(10)));
            HttpResponse<byte[]> download = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(relinked.downloadUrl())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body())))
                    .isEqualTo(packaged.sha256());

            // and: a rotation the packaged topic does not hold
            assertThatThrownBy(() -> relinker.handle(request("never-packaged", "key-1")))
                    .isInstanceOf(PermanentStageException.class).hasMessageContaining("was never packaged")
                    .extracting(e -> ((PermanentStageException) e).code()).isEqualTo("not-packaged");

            // and: once the archive is deleted from the bucket
            try (MinioClient admin = MinioClient.builder().endpoint(s3.endpoint().toString())
                    .credentials(s3.accessKey(), s3.secretKey()).region("us-east-1").build()) {
                admin.removeObject(RemoveObjectArgs.builder().bucket("relinks").object(packaged.objectKey()).build());
            }
            assertThatThrownBy(() -> relinker.handle(request(sealed.rotationId(), "key-2")))
                    .isInstanceOf(PermanentStageException.class)
                    .hasMessageContaining("no longer in bucket relinks")
                    .extracting(e -> ((PermanentStageException) e).code()).isEqualTo("archive-gone");
        }
    }

    private static RotationEvent<RotationRelinkRequested> request(String rotationId, String key) {
        return RelinkData.event(EventType.RELINK_REQUESTED, "/test", OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRelinkRequested(rotationId, "financial-ml", RelinkData.relinkId(rotationId, key), "team"));
    }

    private static ConsumerRecord<String, byte[]> record(RotationEvent<?> event) {
        String topic = Topics.defaults().of(EventType.PACKAGED);
        return new ConsumerRecord<>(topic, 0, 0, event.subject(), new EventCodec().toRecord(topic, event).value());
    }
}

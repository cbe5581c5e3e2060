package io.reseal.packager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.minio.MinioClient;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.packager.archive.DeliveryArchive;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.packager.store.PresignedLink;
import io.reseal.packager.store.StoredPackage;
import io.reseal.pipeline.stage.PermanentStageException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageStoreIT {

    @TempDir
    static Path keys;

    static EmbeddedS3 s3;
    static DeliveryArchive archive;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        s3 = new EmbeddedS3("reseal-test", "reseal-test-secret-0123456789");
        s3.start();
        archive = new PackageBuilder(PackageSigner.generate(keys)).build(SampleRotation.sealed());
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    @Test
    void uploadsWithContentTypeAndMetadataAndThePresignedLinkDownloadsTheSameBytes() throws Exception {
        try (PackageStore store = new PackageStore(config("uploads", null, true, null), Clock.systemUTC())) {
            StoredPackage stored = store.store(archive);
            PresignedLink link = store.presign(stored.objectKey());

            assertThat(stored.uploaded()).isTrue();
            assertThat(stored.bucket()).isEqualTo("uploads");
            assertThat(stored.objectKey()).isEqualTo(archive.objectKey());
            assertThat(stored.size()).isEqualTo(archive.size());
            StatObjectResponse stat = stat("uploads", archive.objectKey());
            assertThat(stat.contentType()).isEqualTo("application/gzip");
            assertThat(stat.userMetadata()).containsEntry("sha256", archive.sha256())
                    .containsEntry("rotation-id", SampleRotation.ROTATION_ID);

            HttpResponse<byte[]> download = get(link.url());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(sha256(download.body())).isEqualTo(archive.sha256());
            assertThat(link.expiresAt()).isCloseTo(Instant.now().plus(Duration.ofDays(7)), within(1, ChronoUnit.MINUTES));
            assertThat(link.toString()).doesNotContain("Signature");
        }
    }

    @Test
    void aTamperedLinkIsForbidden() throws Exception {
        try (PackageStore store = new PackageStore(config("tampered", null, true, null), Clock.systemUTC())) {
            store.store(archive);
            String url = store.presign(archive.objectKey()).url().toString();

            String flipped = url.replaceFirst("X-Amz-Signature=(.)", "X-Amz-Signature=" + (url.contains("X-Amz-Signature=0") ? "1" : "0"));
            assertThat(flipped).isNotEqualTo(url);
            assertThat(get(URI.create(flipped)).statusCode()).isEqualTo(403);
            assertThat(get(URI.create(url.replace(".tar.gz?", ".tar.gz.x?"))).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void anExpiredLinkIsForbidden() throws Exception {
        try (PackageStore store = new PackageStore(config("expired", null, true, Duration.ofSeconds(1)),
                Clock.systemUTC())) {
            store.store(archive);
            URI url = store.presign(archive.objectKey()).url();
            Thread.sleep(2_500);

            assertThat(get(url).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void linksAreSignedForThePublicEndpointHost() throws Exception {
        URI publicEndpoint = URI.create("http://localhost:" + s3.endpoint().getPort());
        try (PackageStore store = new PackageStore(config("public", publicEndpoint, true, null), Clock.systemUTC())) {
            store.store(archive);
            URI url = store.presign(archive.objectKey()).url();

            assertThat(url.getHost()).isEqualTo("localhost");
            assertThat(get(url).statusCode()).isEqualTo(200);
            assertThat(get(URI.create(url.toString().replace("//localhost:", "//127.0.0.1:"))).statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void redeliveryKeepsTheStoredObjectAsItIs() throws Exception {
        try (PackageStore store = new PackageStore(config("redelivery", null, true, null), Clock.systemUTC())) {
            store.store(archive);
            StatObjectResponse before = stat("redelivery", archive.objectKey());
            Thread.sleep(1_100);

            DeliveryArchive rebuilt = new PackageBuilder(PackageSigner.load(keys.resolve(PackageSigner.PRIVATE_KEY_FILE)))
                    .build(SampleRotation.sealed());
            StoredPackage again = store.store(rebuilt);

            StatObjectResponse after = stat("redelivery", archive.objectKey());
            assertThat(after.lastModified()).isEqualTo(before.lastModified());
            assertThat(after.etag()).isEqualTo(before.etag());
            assertThat(rebuilt.sha256()).isEqualTo(archive.sha256());
            assertThat(again.sha256()).isEqualTo(archive.sha256());
            assertThat(again.uploaded()).isFalse();
        }
    }

    @Test
    void aMissingBucketThatMayNotBeCreatedIsAPermanentFailureWithTheReason() throws Exception {
        try (PackageStore store = new PackageStore(config("not-there", null, false, null), Clock.systemUTC())) {
            assertThatThrownBy(() -> store.store(archive))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo("s3-bucket-missing");
                        assertThat(e.getMessage()).contains("bucket not-there does not exist", "createBucket is false");
                    });
        }
    }

    @Test
    void wrongCredentialsArePermanentFailuresThatNeverShowTheSecret() throws Exception {
        String wrongSecret = "not-the-secret-key-4711";
        PackagerConfig wrongSecretKey = new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(),
                wrongSecret, "denied", true, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
        PackagerConfig wrongAccessKey = new PackagerConfig(s3.endpoint(), null, null, "nobody",
                s3.secretKey(), "denied", true, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));

        for (PackagerConfig config : new PackagerConfig[] {wrongSecretKey, wrongAccessKey}) {
            try (PackageStore store = new PackageStore(config, Clock.systemUTC())) {
                assertThatThrownBy(() -> store.store(archive))
                        .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                            assertThat(e.code()).isEqualTo("s3-access-denied");
                            assertThat(e.getMessage()).contains("checking bucket denied at " + s3.endpoint())
                                    .doesNotContain(wrongSecret).doesNotContain(s3.secretKey());
                        });
            }
        }
    }

    static PackagerConfig config(String bucket, URI publicEndpoint, boolean createBucket, Duration expiry) {
        return new PackagerConfig(s3.endpoint(), publicEndpoint, null, s3.accessKey(),
                s3.secretKey(), bucket, createBucket, expiry, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
    }

    private static StatObjectResponse stat(String bucket, String key) throws Exception {
        MinioClient client = MinioClient.builder().endpoint(s3.endpoint().toString())
                .credentials(s3.accessKey(), s3.secretKey()).region("us-east-1").build();
        try {
            return client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
        } finally {
            client.close();
        }
    }

    static HttpResponse<byte[]> get(URI url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

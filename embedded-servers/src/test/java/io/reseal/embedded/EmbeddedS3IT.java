package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;

class EmbeddedS3IT {

    private static final byte[] CONTENT = "sealed secrets archive".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path dataDir;

    private static EmbeddedS3 s3;
    private static MinioClient minio;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startServer() {
        s3 = new EmbeddedS3("reseal-access", "reseal-secret-key", dataDir, 0);
        s3.start();
        minio = client(s3, s3.secretKey());
    }

    @AfterAll
    static void closeServer() {
        s3.close();
    }

    @Test
    void objectRoundTripsAndPresignedLinkDownloadsUntilTampered() throws Exception {
        putObject("packages", "financial-ml/r1/package.tar.gz");

        assertThat(minio.bucketExists(BucketExistsArgs.builder().bucket("packages").build())).isTrue();
        assertThat(minio.statObject(StatObjectArgs.builder().bucket("packages").object("financial-ml/r1/package.tar.gz")
                .build()).size()).isEqualTo(CONTENT.length);
        assertThat(getObject("packages", "financial-ml/r1/package.tar.gz")).isEqualTo(CONTENT);

        String url = minio.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET)
                .bucket("packages").object("financial-ml/r1/package.tar.gz").expiry(1, TimeUnit.HOURS).build());
        assertThat(url).startsWith(s3.endpoint() + "/packages/");
        HttpResponse<byte[]> download = download(url);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(CONTENT);

        String otherDigit = url.contains("X-Amz-Signature=0") ? "1" : "0";
        String tampered = url.replaceFirst("X-Amz-Signature=.", "X-Amz-Signature=" + otherDigit);
        assertThat(tampered).isNotEqualTo(url);
        assertThat(download(tampered).statusCode()).isEqualTo(403);
    }

    @Test
    void wrongSecretKeyIsRejected() {
        MinioClient intruder = client(s3, "not-the-secret");

        assertThatThrownBy(() -> intruder.bucketExists(BucketExistsArgs.builder().bucket("packages").build()))
                .isInstanceOfSatisfying(ErrorResponseException.class,
                        e -> assertThat(e.response().code()).isEqualTo(403));
    }

    @Test
    void filesystemDataSurvivesRestartAndNewServerOnSameDirectory() throws Exception {
        putObject("durable", "kept.bin");

        s3.stop();
        s3.start();
        assertThat(getObject("durable", "kept.bin")).isEqualTo(CONTENT);

        try (EmbeddedS3 other = new EmbeddedS3("reseal-access", "reseal-secret-key", dataDir, 0)) {
            other.start();
            assertThat(other.endpoint()).isNotEqualTo(s3.endpoint());
            try (InputStream in = client(other, other.secretKey())
                    .getObject(GetObjectArgs.builder().bucket("durable").object("kept.bin").build())) {
                assertThat(in.readAllBytes()).isEqualTo(CONTENT);
            }
        }
    }

    @Test
    void inMemoryServerKeepsObjectsAcrossStopAndStart() throws Exception {
        try (EmbeddedS3 memory = new EmbeddedS3("memory-access", "memory-secret-key")) {
            memory.start();
            MinioClient client = client(memory, memory.secretKey());
            client.makeBucket(MakeBucketArgs.builder().bucket("scratch").build());
            client.putObject(PutObjectArgs.builder().bucket("scratch").object("a")
                    .stream(new ByteArrayInputStream(CONTENT), CONTENT.length, -1).build());

            memory.stop();
            memory.start();

            try (InputStream in = client.getObject(GetObjectArgs.builder().bucket("scratch").object("a").build())) {
                assertThat(in.readAllBytes()).isEqualTo(CONTENT);
            }
        }
    }

    private static MinioClient client(EmbeddedS3 server, String secretKey) {
        return MinioClient.builder().endpoint(server.endpoint().toString()).region("us-east-1")
                .credentials(server.accessKey(), secretKey).build();
    }

    private static void putObject(String bucket, String key) throws Exception {
        if (!minio.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
            minio.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
        }
        minio.putObject(PutObjectArgs.builder().bucket(bucket).object(key)
                .stream(new ByteArrayInputStream(CONTENT), CONTENT.length, -1)
                .contentType("application/gzip").build());
    }

    private static byte[] getObject(String bucket, String key) throws Exception {
        try (InputStream in = minio.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return in.readAllBytes();
        }
    }

    private HttpResponse<byte[]> download(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}

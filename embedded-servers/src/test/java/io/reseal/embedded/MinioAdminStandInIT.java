package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.MinioClient;
import io.minio.admin.MinioAdminClient;
import io.minio.errors.ErrorResponseException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What makes {@link MinioAdminStandIn} more than a mock: admin requests must be signed by the root credential over what
 * is actually sent, payloads are MinIO's encrypted format, and S3 lets a service account in only while it exists and
 * has not expired.
 */
class MinioAdminStandInIT {

    private static final String ROOT = "stand-in-root";
    private static final String ROOT_SECRET = "stand-in-root-secret";
    private static final MutableClock CLOCK = new MutableClock(Instant.now());
    private static MinioAdminStandIn minio;

    @BeforeAll
    static void start() {
        minio = MinioAdminStandIn.start(ROOT, ROOT_SECRET, CLOCK);
        minio.addUser("app");
    }

    @AfterAll
    static void stop() {
        if (minio != null) minio.close();
    }

    @Test
    void aServiceAccountLogsInToS3WhileItExistsAndIsRefusedOnceDeleted() throws Exception {
        admin(ROOT_SECRET, new OkHttpClient()).addServiceAccount("APPKEY0001", "app-secret-key-0001", "app", null, "k1", null,
                null);
        assertThat(s3("APPKEY0001", "app-secret-key-0001").listBuckets()).isEmpty();
        assertThat(refusal(() -> s3("APPKEY0001", "a-wrong-secret-key").listBuckets())).isEqualTo("SignatureDoesNotMatch");

        admin(ROOT_SECRET, new OkHttpClient()).deleteServiceAccount("APPKEY0001");

        assertThat(refusal(() -> s3("APPKEY0001", "app-secret-key-0001").listBuckets())).isIn("InvalidAccessKeyId", "AccessDenied");
        assertThat(minio.serviceAccount("APPKEY0001")).isEmpty();
    }

    @Test
    void aServiceAccountStopsAtItsExpiration() throws Exception {
        ZonedDateTime expiration = ZonedDateTime.ofInstant(CLOCK.instant().plus(Duration.ofHours(1)), ZoneOffset.UTC);
        admin(ROOT_SECRET, new OkHttpClient()).addServiceAccount("APPKEY0002", "app-secret-key-0002", "app", null, null, null,
                expiration);
        assertThat(s3("APPKEY0002", "app-secret-key-0002").listBuckets()).isEmpty();

        CLOCK.advance(Duration.ofHours(2));
        try {
            assertThat(refusal(() -> s3("APPKEY0002", "app-secret-key-0002").listBuckets())).isIn("InvalidAccessKeyId", "AccessDenied");
        } finally {
            CLOCK.advance(Duration.ofHours(-2));
        }
    }

    @Test
    void anAdminRequestChangedAfterSigningIsRefused() throws Exception {
        admin(ROOT_SECRET, new OkHttpClient()).addServiceAccount("APPKEY0003", "app-secret-key-0003", "app", null, null, null, null);
        OkHttpClient retargeting = new OkHttpClient.Builder().addInterceptor(chain -> {
            HttpUrl url = chain.request().url();
            return chain.proceed(chain.request().newBuilder().url(url.newBuilder().setQueryParameter("accessKey", "APPKEY0003").build()).build());
        }).build();

        assertThatThrownBy(() -> admin(ROOT_SECRET, retargeting).deleteServiceAccount("SOMEONEELSE"))
                .hasMessageContaining("SignatureDoesNotMatch");
        assertThat(minio.serviceAccount("APPKEY0003")).isPresent();
    }

    @Test
    void anAdminBodyChangedAfterSigningIsRefused() {
        OkHttpClient reBodied = new OkHttpClient.Builder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                .put(RequestBody.create(new byte[64], MediaType.parse("application/octet-stream"))).build())).build();

        assertThatThrownBy(() -> admin(ROOT_SECRET, reBodied).addServiceAccount("APPKEY0004", "app-secret-key-0004", "app",
                null, null, null, null)).hasMessageContaining("XAmzContentSHA256Mismatch");
        assertThat(minio.serviceAccount("APPKEY0004")).isEmpty();
    }

    @Test
    void onlyTheRootCredentialMayCallTheAdminApi() throws Exception {
        assertThatThrownBy(() -> admin("not-the-root-secret", new OkHttpClient()).listServiceAccount("app"))
                .hasMessageContaining("SignatureDoesNotMatch");
        admin(ROOT_SECRET, new OkHttpClient()).addServiceAccount("APPKEY0005", "app-secret-key-0005", "app", null, null, null, null);
        assertThatThrownBy(() -> MinioAdminClient.builder().endpoint(minio.endpoint().toString())
                .credentials("APPKEY0005", "app-secret-key-0005").build().listServiceAccount("app"))
                .hasMessageContaining("InvalidAccessKeyId");
        HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(minio.endpoint() + "/minio/admin/v3/list-service-accounts?user=app")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.body()).contains("\"Code\":\"AccessDenied\"");
    }

    @Test
    void aHeldAdminCallHasTakenEffectButIsNotAnsweredUntilLetGo() throws Exception {
        admin(ROOT_SECRET, new OkHttpClient()).addServiceAccount("APPKEY0006", "app-secret-key-0006", "app", null, null, null, null);
        CompletableFuture<Void> deleting;
        try (MinioAdminStandIn.Hold hold = minio.holdAdminCall("DELETE /delete-service-account")) {
            deleting = CompletableFuture.runAsync(() -> {
                try {
                    admin(ROOT_SECRET, new OkHttpClient()).deleteServiceAccount("APPKEY0006");
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            hold.awaitHeld(30, TimeUnit.SECONDS);

            assertThat(minio.serviceAccount("APPKEY0006")).as("deleted while the answer is held").isEmpty();
            assertThat(deleting).isNotDone();
            // only one call is held: the next goes through
            assertThat(admin(ROOT_SECRET, new OkHttpClient()).listServiceAccount("app").accounts())
                    .noneMatch(a -> a.accessKey().equals("APPKEY0006"));
        }
        deleting.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aHeldServiceAccountRequestIsNotServedUntilLetGoAndTheNextOneIs() throws Exception {
        admin(ROOT_SECRET, new OkHttpClient()).addServiceAccount("APPKEY0007", "app-secret-key-0007", "app", null, null, null, null);
        CompletableFuture<Integer> listing;
        try (MinioAdminStandIn.Hold hold = minio.holdServiceAccountRequest()) {
            assertThat(s3(ROOT, ROOT_SECRET).listBuckets()).as("the root's requests are not held").isNotNull();
            listing = CompletableFuture.supplyAsync(() -> {
                try {
                    return s3("APPKEY0007", "app-secret-key-0007").listBuckets().size();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            hold.awaitHeld(30, TimeUnit.SECONDS);

            assertThat(listing).isNotDone();
            assertThat(s3("APPKEY0007", "app-secret-key-0007").listBuckets()).as("the next request").isEmpty();
        }
        assertThat(listing.get(30, TimeUnit.SECONDS)).isZero();
    }

    private static MinioAdminClient admin(String secret, OkHttpClient http) {
        return MinioAdminClient.builder().endpoint(minio.endpoint().toString()).credentials(ROOT, secret).httpClient(http).build();
    }

    private static MinioClient s3(String accessKey, String secretKey) {
        return MinioClient.builder().endpoint(minio.endpoint().toString()).credentials(accessKey, secretKey).build();
    }

    private interface S3Call {
        void run() throws Exception;
    }

    /** The S3 error code the call was refused with. */
    private static String refusal(S3Call call) throws Exception {
        try {
            call.run();
        } catch (ErrorResponseException e) {
            return e.errorResponse().code();
        }
        throw new AssertionError("S3 let the request in");
    }
}

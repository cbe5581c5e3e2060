package io.reseal.packager.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.ErrorResponse;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.InvalidKeyException;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class S3FailuresTest {

    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG";
    private final S3Failures failures = new S3Failures("http://minio:9000", SECRET);

    @Test
    void unreachableAndTimeoutsAndServerErrorsAreRetriable() {
        assertThat(failures.classify("uploading k", new ConnectException("Connection refused")))
                .isInstanceOfSatisfying(RetriableStageException.class, e -> {
                    assertThat(e.code()).isEqualTo("s3-unavailable");
                    assertThat(e.getMessage()).isEqualTo(
                            "uploading k at http://minio:9000 failed: ConnectException: Connection refused");
                });
        assertThat(failures.classify("x", new SocketTimeoutException("timeout"))).isInstanceOf(RetriableStageException.class);
        assertThat(failures.classify("x", new ServerException("down", 503, "")))
                .isInstanceOf(RetriableStageException.class);
        assertThat(failures.classify("x", error("SlowDown", 503))).isInstanceOf(RetriableStageException.class);
        assertThat(failures.classify("x", error("InternalError", 500))).isInstanceOf(RetriableStageException.class);
    }

    @Test
    void credentialAndPermissionErrorsArePermanentWithTheReason() {
        for (String code : new String[] {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}) {
            assertThat(failures.classify("uploading k", error(code, 403)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo("s3-access-denied");
                        assertThat(e.getMessage()).contains("uploading k at http://minio:9000 failed: " + code);
                    });
        }
        assertThat(failures.classify("x", error("NoSuchBucket", 404)))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("s3-bucket-missing"));
        assertThat(failures.classify("x", new InvalidKeyException("bad"))).isInstanceOf(PermanentStageException.class);
    }

    @Test
    void neverEchoesTheSecretKey() {
        Exception classified = failures.classify("x", new ConnectException("cannot use " + SECRET));

        assertThat(classified.getMessage()).doesNotContain(SECRET).contains("****");
    }

    private static ErrorResponseException error(String code, int status) {
        Response response = new Response.Builder()
                .request(new Request.Builder().url("http://minio:9000/b/k").build())
                .protocol(Protocol.HTTP_1_1).code(status).message("status").build();
        return new ErrorResponseException(new ErrorResponse(code, "message of " + code, "b", "k", "/b/k", "r", "h"),
                response, "");
    }
}

package io.reseal.packager.store;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.io.IOException;
import java.util.Set;

/**
 * Sorts S3 client failures into what may pass (unreachable server, timeouts, 5xx, throttling: retriable)
 * and what never will (bad credentials, no permission, a missing bucket: permanent). Messages say what
 * was being done, where, and the S3 error code and message; they never carry the secret key.
 */
final class S3Failures {


    private static final Set<String> CREDENTIAL_CODES = Set.of(
            "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "AllAccessDisabled", "AccountProblem",
            "InvalidToken", "ExpiredToken", "InvalidSecurity");
    private static final Set<String> TRANSIENT_CODES = Set.of(
            "InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "OperationAborted");

    private final String endpoint;
    private final String secretKey;

    S3Failures(String endpoint, String secretKey) {
        this.endpoint = endpoint;
        this.secretKey = secretKey;
    }

    /** The stage exception for {@code failure} while {@code doing} (e.g. "uploading x to bucket y"). */
    Exception classify(String doing, Exception failure) {
        String where = doing + " at " + endpoint;
        if (failure instanceof ErrorResponseException response) {
            String code = response.errorResponse().code();
            int status = response.response() == null ? 0 : response.response().code();
            String detail = where + " failed: " + code + " (HTTP " + status + ")" + messageOf(response);
            if (CREDENTIAL_CODES.contains(code) || status == 401 || status == 403) {
                return new PermanentStageException(ErrorCode.S3_ACCESS_DENIED, detail + ": check the S3 access key, secret key"
                        + " and the bucket policy");
            }
            if ("NoSuchBucket".equals(code)) {
                return new PermanentStageException(ErrorCode.S3_BUCKET_MISSING, detail);
            }
            if (TRANSIENT_CODES.contains(code) || status >= 500 || status == 408 || status == 429) {
                return new RetriableStageException(ErrorCode.S3_UNAVAILABLE, detail, null);
            }
            return new PermanentStageException(ErrorCode.S3_REJECTED, detail);
        }
        if (failure instanceof ServerException server) {
            return new RetriableStageException(ErrorCode.S3_UNAVAILABLE,
                    where + " failed: HTTP " + server.statusCode() + " from the server", null);
        }
        if (failure instanceof IOException || failure instanceof InsufficientDataException
                || failure instanceof InvalidResponseException) {
            return new RetriableStageException(ErrorCode.S3_UNAVAILABLE, where + " failed: " + failure.getClass().getSimpleName()
                    + redacted(": " + failure.getMessage()), failure);
        }
        return new PermanentStageException(ErrorCode.S3_REJECTED, where + " failed: " + failure.getClass().getSimpleName()
                + redacted(": " + failure.getMessage()), failure);
    }

    private String messageOf(ErrorResponseException response) {
        String message = response.errorResponse().message();
        return message == null || message.isBlank() ? "" : redacted(" - " + message);
    }

    /** Belt and braces: no server or library message may echo the secret key. */
    private String redacted(String text) {
        return text == null ? "" : text.replace(secretKey, "****");
    }
}

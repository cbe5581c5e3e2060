package io.reseal.sealer.issuer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import io.minio.admin.ListServiceAccountResp;
import io.minio.admin.MinioAdminClient;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.errors.ServerException;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.Generator;
import io.reseal.sealer.values.ValueResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.InvalidCipherTextException;

/**
 * Rotates the access keys (service accounts) of one MinIO user through MinIO's admin API ({@code io.minio:minio-admin}).
 * Each rotation adds a key for the user, valid next to the current one until finish, which deletes the current one.
 * <ul>
 *   <li>The pending key's access key is derived from the issuer and the user and the rotation id ({@code RS} and 18 hex
 *       digits of a SHA-256), its name is {@code reseal-<issuer>} and its description names the rotation, so a re-run of create
 *       after a crash finds the key it made before. MinIO never shows a secret key again, so a re-run deletes that key
 *       and adds it anew with a fresh secret key: the same version, and only the new secret works. Create also deletes
 *       every other key of the user that this issuer made (its description says so) except the current one: leftovers
 *       of rotations that failed before their key could be discarded. Keys reseal did not make are never touched.</li>
 *   <li>Every key gets an expiration at MinIO ({@code expiry} after its creation), so a key whose revocation never
 *       happens still dies; the current key dies too if no rotation replaces it in time.</li>
 *   <li>The test step signs an S3 request with the new key: {@code bucketExists(bucket)} (which must be true) or
 *       {@code listBuckets}.</li>
 *   <li>Deleting (discard, finish) looks the key up among the user's keys first, so it is idempotent and never deletes
 *       a key of another user.</li>
 * </ul>
 * No secret key (the admin's or an issued one) is logged or put in a message; MinIO's errors are reported by their code.
 */
public final class MinioIssuer implements Issuer {

    /** The {@link IssuedVersions#strategy()} of this issuer's rotations. */
    public static final String STRATEGY = "access-keys";
    private static final Generator SECRET_KEYS = new Generator(Generator.Kind.TOKEN, 40, null);
    private static final Set<String> RETRIABLE_CODES = Set.of("XMinioServerNotInitialized", "ServiceUnavailable", "SlowDown",
            "InternalError", "RequestTimeout", "XMinioAdminNotInitialized");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MinioIssuerConfig config;
    private final ValueResolver values;
    private final SecureRandom random;
    private final Clock clock;

    public MinioIssuer(MinioIssuerConfig config, ValueResolver values, SecureRandom random, Clock clock) {
        this.config = config;
        this.values = values;
        this.random = random;
        this.clock = clock;
    }

    /**
     * The access key of the pending key of {@code rotationId}: the same on every re-run of create. Access keys are
     * unique across a MinIO server, so the user is part of it too.
     */
    String accessKeyFor(String rotationId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((config.name() + "\n" + config.minio().user() + "\n" + rotationId).getBytes(StandardCharsets.UTF_8));
            return "RS" + HexFormat.of().withUpperCase().formatHex(hash, 0, 9);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Pending create(String rotationId, String current) throws RetriableStageException, PermanentStageException {
        String accessKey = accessKeyFor(rotationId);
        if (accessKey.equals(current)) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what("create") + ": rotation " + rotationId
                    + " already delivered access key " + accessKey + "; making it again would replace the delivered secret key");
        }
        String marker = descriptionMarker();
        String description = (marker + rotationId).substring(0, Math.min(256, marker.length() + rotationId.length()));
        byte[] secret = SECRET_KEYS.generate(random);
        String secretKey = new String(secret, StandardCharsets.US_ASCII);
        Arrays.fill(secret, (byte) 0);
        ZonedDateTime expiration = ZonedDateTime.now(clock).plus(config.minio().expiry());
        withAdmin("create", admin -> {
            for (String key : keysOfUser(admin)) {
                if (!key.equals(current) && madeHere(admin, key)) {
                    admin.deleteServiceAccount(key);
                }
            }
            admin.addServiceAccount(accessKey, secretKey, config.minio().user(), config.minio().policy(), keyName(),
                    description, expiration);
            return null;
        });
        Map<String, SecretValue> fields = new LinkedHashMap<>();
        fields.put("accessKey", SecretValue.ofUtf8(accessKey));
        fields.put("secretKey", SecretValue.ofUtf8(secretKey));
        return new Pending(new Credential(accessKey, fields), new IssuedVersions(config.name(), STRATEGY, current, accessKey));
    }

    @Override
    public void test(Pending pending) throws RetriableStageException, PermanentStageException {
        String accessKey = new String(pending.credential().field("accessKey").bytes(), StandardCharsets.UTF_8);
        MinioClient s3 = MinioClient.builder().endpoint(config.minio().endpoint().toString()).region(config.minio().region())
                .credentials(accessKey, new String(pending.credential().field("secretKey").bytes(), StandardCharsets.UTF_8))
                .build();
        s3.setTimeout(TimeUnit.SECONDS.toMillis(10), TimeUnit.SECONDS.toMillis(30), TimeUnit.SECONDS.toMillis(30));
        String bucket = config.minio().bucket();
        try {
            if (bucket == null) {
                s3.listBuckets();
            } else if (!s3.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, what("test") + ": the new key " + accessKey
                        + " logs in, but bucket " + bucket + " does not exist");
            }
        } catch (ErrorResponseException e) {
            throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, what("test") + ": the new key " + accessKey
                    + " is refused by S3 (" + e.errorResponse().code() + ")");
        } catch (ServerException | IOException e) {
            throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, what("test") + ": S3 at "
                    + config.minio().endpoint() + " did not answer (" + e.getClass().getSimpleName() + ")", null);
        } catch (MinioException e) {
            throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, what("test") + ": the new key " + accessKey
                    + " got no valid S3 answer (" + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HMAC-SHA256 or SHA-256 in this JVM", e);
        }
    }

    @Override
    public void discard(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        deleteIfPresent(versions.pending(), "discard");
    }

    @Override
    public void revokePrevious(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (versions.current() != null && !versions.current().equals(versions.pending())) {
            deleteIfPresent(versions.current(), "finish");
        }
    }

    private void deleteIfPresent(String accessKey, String step) throws RetriableStageException, PermanentStageException {
        withAdmin(step, admin -> {
            if (keysOfUser(admin).contains(accessKey)) admin.deleteServiceAccount(accessKey);
            return null;
        });
    }

    private List<String> keysOfUser(MinioAdminClient admin) throws IOException, GeneralSecurityException,
            InvalidCipherTextException {
        ListServiceAccountResp list = admin.listServiceAccount(config.minio().user());
        List<String> keys = new ArrayList<>();
        if (list.accounts() != null) list.accounts().forEach(account -> keys.add(account.accessKey()));
        return keys;
    }

    private boolean madeHere(MinioAdminClient admin, String accessKey) throws IOException, GeneralSecurityException,
            InvalidCipherTextException {
        String description = admin.getServiceAccountInfo(accessKey).description();
        return description != null && description.startsWith(descriptionMarker());
    }

    private String descriptionMarker() {
        return "reseal issuer " + config.name() + ", rotation ";
    }

    /** {@code reseal-<issuer>}, cut to MinIO's 32 characters. */
    private String keyName() {
        String name = "reseal-" + config.name();
        name = name.substring(0, Math.min(32, name.length()));
        return name.endsWith("-") ? name.substring(0, name.length() - 1) : name;
    }

    private String what(String step) {
        return "issuer " + config.name() + ", " + step;
    }

    private interface AdminCall<T> {
        T run(MinioAdminClient admin) throws IOException, GeneralSecurityException, InvalidCipherTextException;
    }

    /** Runs {@code call} with an admin client of the configured credential, read afresh; translates MinIO's failures. */
    private <T> T withAdmin(String step, AdminCall<T> call) throws RetriableStageException, PermanentStageException {
        String what = "issuer " + config.name() + ", admin ";
        SecretValue accessKey = values.resolve(what + "accessKey", config.minio().admin().accessKey());
        SecretValue secretKey;
        try {
            secretKey = values.resolve(what + "secretKey", config.minio().admin().secretKey());
        } catch (RetriableStageException | PermanentStageException e) {
            accessKey.destroy();
            throw e;
        }
        MinioAdminClient admin = MinioAdminClient.builder().endpoint(config.minio().endpoint().toString())
                .region(config.minio().region())
                .credentials(new String(accessKey.bytes(), StandardCharsets.UTF_8), new String(secretKey.bytes(), StandardCharsets.UTF_8))
                .build();
        accessKey.destroy();
        secretKey.destroy();
        admin.setTimeout(TimeUnit.SECONDS.toMillis(10), TimeUnit.SECONDS.toMillis(30), TimeUnit.SECONDS.toMillis(30));
        try {
            return call.run(admin);
        } catch (IOException e) {
            throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, what(step) + ": MinIO at " + config.minio().endpoint()
                    + " cannot be reached (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", null);
        } catch (InvalidCipherTextException e) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what(step)
                    + ": MinIO's answer cannot be decrypted with the admin secret key (is it the right one?)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HMAC-SHA256 or SHA-256 in this JVM", e);
        } catch (RuntimeException e) {
            rethrowRefusal(step, e);
            return null;
        }
    }

    /**
     * minio-admin reports an error answer as {@code RuntimeException("Request failed with response: <MinIO's JSON>")} and
     * a refused argument as {@code IllegalArgumentException}; neither holds a secret. The JSON's {@code Code} says whether
     * trying again may help. Always throws.
     */
    private void rethrowRefusal(String step, RuntimeException e) throws RetriableStageException, PermanentStageException {
        String message = String.valueOf(e.getMessage());
        String prefix = "Request failed with response: ";
        if (!message.startsWith(prefix)) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what(step) + ": " + e.getClass().getSimpleName()
                    + ": " + message);
        }
        String code = "unknown";
        String text = "";
        try {
            JsonNode answer = JSON.readTree(message.substring(prefix.length()));
            code = answer.path("Code").asText("unknown");
            text = answer.path("Message").asText("");
        } catch (IOException notJson) {
            // a proxy's error page rather than MinIO's answer: the code stays unknown
        }
        String reason = what(step) + ": MinIO answered " + code + (text.isEmpty() ? "" : " (" + text + ")");
        if (RETRIABLE_CODES.contains(code)) throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, reason, null);
        throw new PermanentStageException(ErrorCode.ISSUER_FAILED, reason);
    }
}

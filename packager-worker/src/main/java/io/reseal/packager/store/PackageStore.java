package io.reseal.packager.store;

import io.minio.BucketExistsArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.ObjectWriteResponse;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import io.reseal.packager.PackagerConfig;
import io.reseal.packager.archive.DeliveryArchive;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores packages in an S3-compatible bucket (MinIO, AWS S3, ...) and presigns download links.
 *
 * <p>Guarantees: {@link #store} is idempotent per object key: when an object with the same key and the
 * same {@code sha256} user metadata exists, nothing is written (a redelivered event creates no second
 * version). The bucket is created on first use if it is missing and {@code createBucket} is set.
 * Failures are {@link RetriableStageException} when they may pass (unreachable, timeouts, 5xx) and
 * {@link PermanentStageException} when they never will (credentials, permissions, missing bucket), with
 * messages that never contain the secret key. {@link #presign} needs no network: it signs for the
 * public endpoint with the configured region. Thread-safe; {@link #close()} releases the HTTP connections.
 */
public final class PackageStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PackageStore.class);

    static final String META_ROTATION_ID = "rotation-id";
    static final String META_SHA256 = "sha256";
    private static final String CONTENT_TYPE = "application/gzip";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(60);

    private final OkHttpClient http;
    private final MinioClient client;
    private final MinioClient presigner;
    private final String bucket;
    private final boolean createBucket;
    private final Duration linkExpiry;
    private final Clock clock;
    private final S3Failures failures;
    private volatile boolean bucketReady;

    /** A store for {@code config}; connects lazily, on the first {@link #store}. */
    public PackageStore(PackagerConfig config, Clock clock) {
        this.http = new OkHttpClient.Builder()
                .connectTimeout(CONNECT_TIMEOUT)
                .readTimeout(TRANSFER_TIMEOUT)
                .writeTimeout(TRANSFER_TIMEOUT)
                .build();
        this.client = MinioClient.builder()
                .endpoint(config.endpoint().toString())
                .region(config.region())
                .credentials(config.accessKey(), config.secretKey())
                .httpClient(http)
                .build();
        this.presigner = MinioClient.builder()
                .endpoint(config.publicEndpoint().toString())
                .region(config.region())
                .credentials(config.accessKey(), config.secretKey())
                .httpClient(http)
                .build();
        this.bucket = config.bucket();
        this.createBucket = config.createBucket();
        this.linkExpiry = config.linkExpiry();
        this.clock = clock;
        this.failures = new S3Failures(
                config.endpoint().getScheme() + "://" + config.endpoint().getRawAuthority(), config.secretKey());
    }

    public String bucket() {
        return bucket;
    }

    /**
     * Uploads the archive under its object key with content type {@code application/gzip} and user
     * metadata {@code rotation-id} and {@code sha256}, unless the same bytes are already stored there.
     */
    public StoredPackage store(DeliveryArchive archive) throws RetriableStageException, PermanentStageException {
        ensureBucket();
        String key = archive.objectKey();
        Optional<StatObjectResponse> existing = stat(key);
        if (existing.isPresent() && archive.sha256().equals(existing.get().userMetadata().get(META_SHA256))) {
            LOG.info("package {} already stored in bucket {} with sha256 {}: not uploading again",
                    key, bucket, archive.sha256());
            return new StoredPackage(bucket, key, existing.get().size(), archive.sha256(), existing.get().etag(), false);
        }
        if (existing.isPresent()) {
            LOG.warn("package {} in bucket {} has sha256 {}, the rebuilt one {}: replacing it",
                    key, bucket, existing.get().userMetadata().get(META_SHA256), archive.sha256());
        }
        try {
            ObjectWriteResponse written = client.putObject(PutObjectArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .stream(archive.newInputStream(), archive.size(), -1)
                    .contentType(CONTENT_TYPE)
                    .userMetadata(Map.of(META_ROTATION_ID, archive.rotationId(), META_SHA256, archive.sha256()))
                    .build());
            LOG.info("stored package {} ({} bytes, sha256 {}) in bucket {}", key, archive.size(), archive.sha256(), bucket);
            return new StoredPackage(bucket, key, archive.size(), archive.sha256(), written.etag(), true);
        } catch (Exception e) {
            throw rethrow("uploading " + key + " to bucket " + bucket, e);
        }
    }

    /**
     * Whether the bucket still holds {@code objectKey} with user metadata {@code sha256}: the very archive that was
     * stored, not deleted, expired or replaced since.
     */
    public boolean holds(String objectKey, String sha256) throws RetriableStageException, PermanentStageException {
        return stat(objectKey).map(found -> sha256.equals(found.userMetadata().get(META_SHA256))).orElse(false);
    }

    /** A GET link to {@code objectKey} valid for the configured expiry, signed for the public endpoint. */
    public PresignedLink presign(String objectKey) throws PermanentStageException {
        Instant now = clock.instant();
        try {
            String url = presigner.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder()
                    .method(Method.GET)
                    .bucket(bucket)
                    .object(objectKey)
                    .expiry((int) linkExpiry.toSeconds(), TimeUnit.SECONDS)
                    .build());
            return new PresignedLink(URI.create(url), now.plus(linkExpiry));
        } catch (Exception e) {
            throw new PermanentStageException(ErrorCode.S3_REJECTED, "presigning a link to " + objectKey
                    + " failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Releases the HTTP connections and threads; idempotent. */
    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    private void ensureBucket() throws RetriableStageException, PermanentStageException {
        if (bucketReady) {
            return;
        }
        boolean exists;
        try {
            exists = client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception e) {
            throw rethrow("checking bucket " + bucket, e);
        }
        if (!exists) {
            if (!createBucket) {
                throw new PermanentStageException(ErrorCode.S3_BUCKET_MISSING, "bucket " + bucket
                        + " does not exist and createBucket is false: create it or allow the packager to");
            }
            makeBucket();
        }
        bucketReady = true;
    }

    private void makeBucket() throws RetriableStageException, PermanentStageException {
        try {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            LOG.info("created bucket {}", bucket);
        } catch (ErrorResponseException e) {
            if (!"BucketAlreadyOwnedByYou".equals(e.errorResponse().code())) {
                throw rethrow("creating bucket " + bucket, e);
            }
        } catch (Exception e) {
            throw rethrow("creating bucket " + bucket, e);
        }
    }

    private Optional<StatObjectResponse> stat(String key) throws RetriableStageException, PermanentStageException {
        try {
            return Optional.of(client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return Optional.empty();
            }
            throw rethrow("looking up " + key + " in bucket " + bucket, e);
        } catch (Exception e) {
            throw rethrow("looking up " + key + " in bucket " + bucket, e);
        }
    }

    /** Throws the classified failure; declared to return so call sites can {@code throw rethrow(...)}. */
    private RuntimeException rethrow(String doing, Exception failure)
            throws RetriableStageException, PermanentStageException {
        Exception classified = failures.classify(doing, failure);
        if (classified instanceof RetriableStageException retriable) {
            throw retriable;
        }
        throw (PermanentStageException) classified;
    }
}

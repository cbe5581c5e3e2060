package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.admin.GetServiceAccountInfoResp;
import io.minio.admin.ListServiceAccountResp;
import io.minio.admin.MinioAdminClient;
import io.minio.errors.ErrorResponseException;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the MinIO issuer must do against a MinIO server: every key logs in to S3, or not, at every phase. Run against
 * the stand-in ({@link MinioIssuerIT}) and, where Docker exists, against the real MinIO ({@link MinioIssuerContainerIT}).
 * Each test uses a user of its own, so the tests share one server.
 */
abstract class MinioIssuerContract {

    static final String ROOT_ACCESS_KEY = "reseal-root";
    static final String ROOT_SECRET_KEY = "root-secret-key-must-not-leak";
    static final String BUCKET = "models";

    /** The server's endpoint, for the admin API and S3. */
    abstract URI endpoint();

    /** Makes a MinIO user whose keys may read and write {@link #BUCKET}. */
    abstract void createUser(String user) throws Exception;

    String user;

    @BeforeEach
    void aUserOfItsOwn() throws Exception {
        user = "app-" + UUID.randomUUID().toString().substring(0, 8);
        createUser(user);
        MinioClient root = s3(ROOT_ACCESS_KEY, ROOT_SECRET_KEY);
        if (!root.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())) {
            root.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
        }
    }

    MinioIssuer issuer(String bucket, Duration expiry, String adminSecret) {
        ValueResolver values = new ValueResolver(Map.of("MINIO_ROOT_PASSWORD", adminSecret)::get,
                new ClusterAccess(List.of()), "dev", new SecureRandom());
        return new MinioIssuer(new MinioIssuerConfig("minio-s3", new MinioIssuerConfig.Settings(endpoint(), null,
                new MinioIssuerConfig.Admin(new ValueSource.Literal(ROOT_ACCESS_KEY), new ValueSource.Env("MINIO_ROOT_PASSWORD")),
                user, null, bucket, expiry), null), values, new SecureRandom(), Clock.systemUTC());
    }

    MinioIssuer issuer() {
        return issuer(BUCKET, null, ROOT_SECRET_KEY);
    }

    @Test
    void theDeliveredKeyLogsInAndThePreviousOneWorksUntilFinish() throws Exception {
        // given
        MinioIssuer issuer = issuer();

        // when: the first rotation
        Issuer.Pending first = issuer.create("rotation-1", null);
        issuer.test(first);

        // then: its key reaches the bucket
        assertThat(first.versions()).isEqualTo(new IssuedVersions("minio-s3", "access-keys", null, accessKey(first)));
        assertThat(reachesBucket(first)).isTrue();
        issuer.revokePrevious(first.versions()); // nothing to revoke
        assertThat(reachesBucket(first)).isTrue();

        // when: a second rotation
        Issuer.Pending second = issuer.create("rotation-2", first.versions().pending());
        issuer.test(second);

        // then: both work until finish
        assertThat(second.versions()).isEqualTo(new IssuedVersions("minio-s3", "access-keys", accessKey(first), accessKey(second)));
        assertThat(accessKey(second)).isNotEqualTo(accessKey(first));
        assertThat(reachesBucket(first)).isTrue();
        assertThat(reachesBucket(second)).isTrue();

        // when: finish, twice (idempotent)
        issuer.revokePrevious(second.versions());
        issuer.revokePrevious(second.versions());

        // then: only the new one works, and it is the user's only key
        assertThat(reachesBucket(first)).isFalse();
        assertThat(reachesBucket(second)).isTrue();
        assertThat(keysOfUser()).containsExactly(accessKey(second));
    }

    @Test
    void everyKeyExpiresAtMinioAndSaysWhichRotationMadeIt() throws Exception {
        // given
        MinioIssuer issuer = issuer(BUCKET, Duration.ofDays(7), ROOT_SECRET_KEY);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        // when
        Issuer.Pending pending = issuer.create("rotation-expiry", null);
        Instant after = Instant.now();

        // then
        GetServiceAccountInfoResp info = admin().getServiceAccountInfo(accessKey(pending));
        Instant expiration = OffsetDateTime.parse(info.expiration()).toInstant();
        assertThat(expiration).isBetween(before.plus(Duration.ofDays(7)), after.plus(Duration.ofDays(7)));
        assertThat(info.parentUser()).isEqualTo(user);
        assertThat(info.name()).isEqualTo("reseal-minio-s3");
        assertThat(info.description()).isEqualTo("reseal issuer minio-s3, rotation rotation-expiry");
        assertThat(admin().listServiceAccount(user).accounts()).singleElement()
                .satisfies(account -> assertThat(OffsetDateTime.parse(account.expiration()).toInstant()).isEqualTo(expiration));
    }

    @Test
    void aRepeatedCreateReplacesItsKeySoOnlyOnePendingKeyRemains() throws Exception {
        // given: a current key, and a sealer that made a pending one and died before sealing it
        MinioIssuer issuer = issuer();
        Issuer.Pending current = issuer.create("rotation-1", null);
        Issuer.Pending lost = issuer.create("rotation-2", accessKey(current));

        // when: the rotation runs again
        Issuer.Pending again = issuer.create("rotation-2", accessKey(current));
        issuer.test(again);

        // then: the same access key with a new secret key; the lost secret no longer works
        assertThat(accessKey(again)).isEqualTo(accessKey(lost));
        assertThat(secretKey(again)).isNotEqualTo(secretKey(lost));
        assertThat(keysOfUser()).containsExactlyInAnyOrder(accessKey(current), accessKey(again));
        assertThat(reachesBucket(lost)).isFalse();
        assertThat(reachesBucket(again)).isTrue();
        assertThat(reachesBucket(current)).isTrue();
    }

    @Test
    void createRemovesThisIssuersLeftoversAndNoOtherKey() throws Exception {
        // given: a current key, a pending key of a rotation that failed without discarding it, and a key of the user's own
        MinioIssuer issuer = issuer();
        Issuer.Pending current = issuer.create("rotation-1", null);
        Issuer.Pending leftover = issuer.create("rotation-2", accessKey(current));
        admin().addServiceAccount("OWNKEY0001", "own-secret-key-0001", user, null, "laptop", "the user's own", null);

        // when: the next rotation
        Issuer.Pending next = issuer.create("rotation-3", accessKey(current));

        // then
        assertThat(keysOfUser()).containsExactlyInAnyOrder(accessKey(current), accessKey(next), "OWNKEY0001");
        assertThat(reachesBucket(leftover)).isFalse();
        assertThat(reachesBucket(current)).isTrue();
    }

    @Test
    void aKeyThatFailsItsTestIsDiscardedAndTheCurrentOneStays() throws Exception {
        // given: a current key, and an issuer whose test bucket does not exist
        Issuer.Pending current = issuer().create("rotation-1", null);
        MinioIssuer strict = issuer("no-such-bucket", null, ROOT_SECRET_KEY);
        Issuer.Pending pending = strict.create("rotation-2", accessKey(current));

        // when
        assertThatThrownBy(() -> strict.test(pending)).isInstanceOfSatisfying(PermanentStageException.class, e -> {
            assertThat(e.code()).isEqualTo("issuer-test-failed");
            assertThat(e.getMessage()).contains("bucket no-such-bucket does not exist").doesNotContain(secretKey(pending));
        });
        strict.discard(pending.versions());
        strict.discard(pending.versions()); // idempotent

        // then
        assertThat(reachesBucket(pending)).isFalse();
        assertThat(keysOfUser()).containsExactly(accessKey(current));
        assertThat(reachesBucket(current)).isTrue();
        assertThatThrownBy(() -> issuer().test(pending)).isInstanceOfSatisfying(PermanentStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-test-failed"));
    }

    @Test
    void aRotationWhoseKeyFailsItsTestSealsNothingAndLeavesNoKeyAtMinio() throws Exception {
        // given: the rotation steps of a bundle whose keys come from an issuer whose test bucket does not exist
        IssuerSteps steps = new IssuerSteps(Map.of("minio-s3", issuer("no-such-bucket", null, ROOT_SECRET_KEY)),
                new IssuerHistory(() -> new IssuerHistory.Snapshot(List.of(), Set.of())), Clock.systemUTC());
        List<BundleConfig> bundles = List.of(new BundleConfig("s3", null, null, null, Map.of(
                "AWS_ACCESS_KEY_ID", new ValueSource.Issued(new ValueSource.IssuedRef("minio-s3", "accessKey")),
                "AWS_SECRET_ACCESS_KEY", new ValueSource.Issued(new ValueSource.IssuedRef("minio-s3", "secretKey")))));

        // when, then
        assertThatThrownBy(() -> steps.createAndTest("rotation-1", bundles)).isInstanceOfSatisfying(PermanentStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-test-failed"));
        assertThat(keysOfUser()).isEmpty();
    }

    @Test
    void aReRunOfADeliveredRotationIsRefusedRatherThanReplacingItsSecret() throws Exception {
        MinioIssuer issuer = issuer();
        Issuer.Pending delivered = issuer.create("rotation-1", null);

        assertThatThrownBy(() -> issuer.create("rotation-1", accessKey(delivered)))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-failed"))
                .hasMessageContaining("already delivered access key " + accessKey(delivered));
        assertThat(reachesBucket(delivered)).isTrue();
    }

    @Test
    void aWrongAdminSecretIsAPermanentFailureThatNamesNoSecret() {
        MinioIssuer issuer = issuer(BUCKET, null, "wrong-admin-secret-key");

        assertThatThrownBy(() -> issuer.create("rotation-1", null))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-failed"))
                .hasMessageStartingWith("issuer minio-s3, create: MinIO answered SignatureDoesNotMatch")
                .hasMessageNotContaining("wrong-admin-secret-key").hasMessageNotContaining(ROOT_SECRET_KEY);
    }

    String accessKey(Issuer.Pending pending) {
        return new String(pending.credential().field("accessKey").bytes(), StandardCharsets.UTF_8);
    }

    String secretKey(Issuer.Pending pending) {
        return new String(pending.credential().field("secretKey").bytes(), StandardCharsets.UTF_8);
    }

    List<String> keysOfUser() throws Exception {
        ListServiceAccountResp list = admin().listServiceAccount(user);
        return list.accounts() == null ? List.of() : list.accounts().stream().map(ListServiceAccountResp.ListServiceAccountInfo::accessKey).toList();
    }

    /** Whether an S3 request signed with the key sees the bucket; false when S3 refuses the key (unknown, or a wrong secret). */
    boolean reachesBucket(Issuer.Pending pending) throws Exception {
        try {
            return s3(accessKey(pending), secretKey(pending)).bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build());
        } catch (ErrorResponseException e) {
            assertThat(e.errorResponse().code()).as("why S3 refused the key").isIn("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied");
            return false;
        }
    }

    MinioClient s3(String accessKey, String secretKey) {
        return MinioClient.builder().endpoint(endpoint().toString()).credentials(accessKey, secretKey).build();
    }

    MinioAdminClient admin() {
        return MinioAdminClient.builder().endpoint(endpoint().toString()).credentials(ROOT_ACCESS_KEY, ROOT_SECRET_KEY).build();
    }

    @Test
    void anUnreachableMinioIsWorthRetrying() {
        ValueResolver values = new ValueResolver(Map.of("MINIO_ROOT_PASSWORD", ROOT_SECRET_KEY)::get,
                new ClusterAccess(List.of()), "dev", new SecureRandom());
        MinioIssuer issuer = new MinioIssuer(new MinioIssuerConfig("minio-s3", new MinioIssuerConfig.Settings(
                URI.create("http://127.0.0.1:1"), null, new MinioIssuerConfig.Admin(new ValueSource.Literal(ROOT_ACCESS_KEY),
                new ValueSource.Env("MINIO_ROOT_PASSWORD")), user, null, null, null), null), values, new SecureRandom(),
                Clock.systemUTC());

        assertThatThrownBy(() -> issuer.create("rotation-1", null)).isInstanceOfSatisfying(RetriableStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-unavailable")).hasMessageNotContaining(ROOT_SECRET_KEY);
    }
}

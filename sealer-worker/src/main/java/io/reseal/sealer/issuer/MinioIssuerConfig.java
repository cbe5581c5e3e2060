package io.reseal.sealer.issuer;

import io.reseal.sealer.values.ValueSource;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A MinIO issuer: access keys (service accounts) of one MinIO user, made and deleted through MinIO's admin API.
 *
 * @param name the issuer's name
 * @param minio where and for whom
 * @param revokePrevious when to finish by itself; {@code null}: only when asked ({@code ./reseal finish})
 */
public record MinioIssuerConfig(String name, Settings minio, RevokePrevious revokePrevious) implements IssuerConfig {

    /** Fields of the credential: the access key and its secret key. */
    public static final Set<String> FIELDS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of("accessKey", "secretKey")));

    /** How long an access key lives when {@code expiry} is not given. */
    public static final Duration DEFAULT_EXPIRY = Duration.ofDays(90);

    public MinioIssuerConfig {
        IssuerConfig.checkedName(name);
        if (minio == null) throw new IllegalArgumentException("issuers." + name + ".minio is required");
        if (revokePrevious != null && minio.expiry().compareTo(revokePrevious.after()) <= 0) {
            throw new IllegalArgumentException("issuers." + name + ".minio.expiry (" + minio.expiry()
                    + ") must be longer than revokePrevious.after (" + revokePrevious.after()
                    + "): a key would expire before the one it replaces is revoked");
        }
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    /**
     * @param endpoint MinIO's URL, {@code http(s)://host:port} (the admin API and S3 are both served there)
     * @param region the region requests are signed for; {@code us-east-1} when not given
     * @param admin a credential allowed to manage the user's service accounts ({@code admin:CreateServiceAccount},
     *     {@code admin:ListServiceAccounts}, {@code admin:RemoveServiceAccount})
     * @param user the MinIO user whose access keys rotate; a key can do what the user may do, less what {@code policy} takes away
     * @param policy an IAM policy document that narrows what the key may do; {@code null}: the user's own policies
     * @param bucket a bucket the test step checks the new key can reach; {@code null}: the test lists buckets
     * @param expiry how long each key lives at MinIO, the backstop for a key reseal lost track of; default 90 days
     */
    public record Settings(URI endpoint, String region, Admin admin, String user, Map<String, Object> policy, String bucket,
                           Duration expiry) {

        private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

        public Settings {
            if (endpoint == null || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
                    || endpoint.getHost() == null) {
                throw new IllegalArgumentException("minio.endpoint must be an http:// or https:// URL");
            }
            if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !endpoint.getRawPath().equals("/")) {
                throw new IllegalArgumentException("minio.endpoint must have no path (MinIO serves at the root)");
            }
            region = region == null ? "us-east-1" : region;
            if (admin == null) throw new IllegalArgumentException("minio.admin is required (accessKey and secretKey)");
            if (user == null || user.isBlank()) throw new IllegalArgumentException("minio.user is required: the MinIO user whose keys rotate");
            policy = policy == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(policy));
            if (bucket != null && !BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException("minio.bucket '" + bucket + "' is not an S3 bucket name");
            }
            expiry = expiry == null ? DEFAULT_EXPIRY : expiry;
            if (expiry.compareTo(Duration.ofHours(1)) < 0) {
                throw new IllegalArgumentException("minio.expiry must be at least PT1H, e.g. P90D");
            }
        }
    }

    /** The admin credential, as value sources (never {@code issued}). */
    public record Admin(ValueSource accessKey, ValueSource secretKey) {

        public Admin {
            if (accessKey == null || secretKey == null) {
                throw new IllegalArgumentException("minio.admin needs accessKey and secretKey");
            }
            if (accessKey instanceof ValueSource.Issued || secretKey instanceof ValueSource.Issued) {
                throw new IllegalArgumentException("minio.admin cannot be issued by an issuer");
            }
        }
    }
}

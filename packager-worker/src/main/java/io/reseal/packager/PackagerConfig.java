package io.reseal.packager;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Settings of the packager: where the S3-compatible store is, which bucket, how long download links
 * live, and which key signs the packages. Immutable and validated on construction: an invalid value
 * fails with an {@link IllegalArgumentException} whose message names the field. {@link #toString()}
 * never shows the secret key. Field names are the YAML names (Jackson maps them onto the canonical
 * constructor); {@code null} means "use the default" where a default exists.
 *
 * @param endpoint       S3 API endpoint the worker talks to, e.g. {@code http://minio:9000} (required)
 * @param publicEndpoint endpoint the recipients download from; presigned links are signed for its host
 *                       (default: {@code endpoint})
 * @param region         S3 region used for signing (default {@code us-east-1})
 * @param accessKey      S3 access key id (required)
 * @param secretKey      S3 secret key (required; never printed)
 * @param bucket         bucket of the packages (default {@code reseal-packages})
 * @param createBucket   create the bucket when it is missing (default {@code true})
 * @param linkExpiry     lifetime of a download link, at most 7 days (the S3 maximum; default {@code P7D})
 * @param signingKey     Ed25519 private key, PKCS#8 PEM, that signs {@code SHA256SUMS} (required)
 */
public record PackagerConfig(
        URI endpoint,
        URI publicEndpoint,
        String region,
        String accessKey,
        String secretKey,
        String bucket,
        Boolean createBucket,
        Duration linkExpiry,
        Path signingKey) {

    public static final String DEFAULT_REGION = "us-east-1";
    public static final String DEFAULT_BUCKET = "reseal-packages";
    /** The longest a SigV4 presigned URL may live. */
    public static final Duration MAX_LINK_EXPIRY = Duration.ofDays(7);

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public PackagerConfig {
        endpoint = requireHttpEndpoint("endpoint", endpoint);
        publicEndpoint = publicEndpoint == null ? endpoint : requireHttpEndpoint("publicEndpoint", publicEndpoint);
        region = region == null ? DEFAULT_REGION : requireText("region", region);
        accessKey = requireText("accessKey", accessKey);
        if (secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("secretKey: required");
        }
        bucket = bucket == null ? DEFAULT_BUCKET : requireBucketName(bucket);
        createBucket = createBucket == null ? Boolean.TRUE : createBucket;
        linkExpiry = linkExpiry == null ? MAX_LINK_EXPIRY : requireLinkExpiry(linkExpiry);
        if (signingKey == null) {
            throw new IllegalArgumentException("signingKey: required (path to an Ed25519 private key, PKCS#8 PEM)");
        }
    }

    @Override
    public String toString() {
        return "PackagerConfig[endpoint=" + endpoint + ", publicEndpoint=" + publicEndpoint + ", region=" + region
                + ", accessKey=" + accessKey + ", secretKey=****, bucket=" + bucket + ", createBucket=" + createBucket
                + ", linkExpiry=" + linkExpiry + ", signingKey=" + signingKey + "]";
    }

    private static URI requireHttpEndpoint(String field, URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException(field + ": required (e.g. http://localhost:9000)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException(field + ": scheme '" + scheme + "' is not supported: use http or https");
        }
        if (uri.getHost() == null || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
                || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
            throw new IllegalArgumentException(field + ": '" + uri.getScheme() + "://" + uri.getHost()
                    + "...' must be scheme://host[:port] with no user info, path, query or fragment");
        }
        return uri;
    }

    private static String requireText(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + ": required");
        }
        return value.strip();
    }

    private static String requireBucketName(String bucket) {
        if (!BUCKET_NAME.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("bucket: '" + bucket
                    + "' is not a valid S3 bucket name (3-63 lower-case letters, digits, '.' or '-')");
        }
        return bucket;
    }

    private static Duration requireLinkExpiry(Duration expiry) {
        if (expiry.compareTo(Duration.ofSeconds(1)) < 0 || expiry.compareTo(MAX_LINK_EXPIRY) > 0) {
            throw new IllegalArgumentException("linkExpiry: " + expiry + " must be between 1 second and "
                    + MAX_LINK_EXPIRY + " (7 days, the S3 maximum for presigned URLs)");
        }
        return expiry;
    }
}

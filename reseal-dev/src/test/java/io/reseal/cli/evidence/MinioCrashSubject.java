package io.reseal.cli.evidence;

import io.minio.MinioClient;
import io.minio.admin.ListServiceAccountResp;
import io.minio.admin.MinioAdminClient;
import io.minio.errors.ErrorResponseException;
import io.reseal.embedded.MinioAdminStandIn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The {@code minio} issuer on {@link MinioAdminStandIn} (no real MinIO runs here; the issuer's own tests run the real
 * one where Docker exists), held by the stand-in's test facility, with no hook in the sealer:
 * <ul>
 *   <li>in test: the first S3 request signed by a service account (the test step's) is held before it is served;</li>
 *   <li>in finish: {@code delete-service-account} is held once the key is deleted, before MinIO answers.</li>
 * </ul>
 * What MinIO accepts: the user's service accounts as the admin API lists them, each of which must log in to S3 with
 * its secret key; the fingerprint is a hash of that secret key, as the stand-in holds it.
 */
final class MinioCrashSubject implements CrashSubject {

    private static final String ROOT = "crash-root";
    private static final String USER = "crash-app";

    private final Path dir;
    private final String rootSecret = "minio-root-" + random();
    private MinioAdminStandIn minio;

    MinioCrashSubject(Path dir) {
        this.dir = dir;
    }

    @Override
    public String issuer() {
        return "crash-minio";
    }

    @Override
    public String issuerEntry(EvidenceStack stack) {
        minio = MinioAdminStandIn.start(ROOT, rootSecret);
        minio.addUser(USER);
        Path secret = dir.resolve("minio-root-secret");
        try {
            Files.createDirectories(dir);
            Files.writeString(secret, rootSecret);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return """
                - name: crash-minio
                  minio:
                    endpoint: "%s"
                    admin: {accessKey: {literal: %s}, secretKey: {file: "%s"}}
                    user: %s
                """.formatted(minio.endpoint(), ROOT, secret.toAbsolutePath(), USER);
    }

    @Override
    public Map<String, String> keys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("CRASH_MINIO_ACCESS_KEY", "accessKey");
        keys.put("CRASH_MINIO_SECRET_KEY", "secretKey");
        return keys;
    }

    /** The access key is the version, on the events. */
    @Override
    public boolean secret(String field) {
        return field.equals("secretKey");
    }

    @Override
    public void prepare(EvidenceStack stack) {
        // the user exists since the stand-in started
    }

    @Override
    public Hold holdTest() {
        return hold(minio.holdServiceAccountRequest());
    }

    @Override
    public Hold holdFinish() {
        return hold(minio.holdAdminCall("DELETE /delete-service-account"));
    }

    private static Hold hold(MinioAdminStandIn.Hold hold) {
        return new Hold() {
            @Override
            public void awaitHeld() throws InterruptedException {
                hold.awaitHeld(60, TimeUnit.SECONDS);
            }

            @Override
            public void close() {
                hold.close();
            }
        };
    }

    @Override
    public Map<String, String> accepted() throws Exception {
        MinioAdminClient admin = MinioAdminClient.builder().endpoint(minio.endpoint().toString()).credentials(ROOT, rootSecret).build();
        ListServiceAccountResp list = admin.listServiceAccount(USER);
        Map<String, String> accepted = new TreeMap<>();
        if (list.accounts() == null) return accepted;
        for (ListServiceAccountResp.ListServiceAccountInfo account : list.accounts()) {
            String secretKey = minio.serviceAccount(account.accessKey()).orElseThrow().secretKey();
            if (logsIn(account.accessKey(), secretKey)) accepted.put(account.accessKey(), fingerprint(secretKey));
        }
        return accepted;
    }

    @Override
    public boolean logsIn(Map<String, String> delivered) throws Exception {
        return logsIn(delivered.get("CRASH_MINIO_ACCESS_KEY"), delivered.get("CRASH_MINIO_SECRET_KEY"));
    }

    private boolean logsIn(String accessKey, String secretKey) throws Exception {
        try {
            MinioClient.builder().endpoint(minio.endpoint().toString()).credentials(accessKey, secretKey).build().listBuckets();
            return true;
        } catch (ErrorResponseException e) {
            return false;
        }
    }

    private static String random() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String fingerprint(String secretKey) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secretKey.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (minio != null) minio.close();
    }
}

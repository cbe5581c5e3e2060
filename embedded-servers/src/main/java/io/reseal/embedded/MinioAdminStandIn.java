package io.reseal.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.minio.admin.Crypto;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.eclipse.jetty.ee10.proxy.ProxyServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.auth.AwsSignature;
import org.gaul.s3proxy.auth.S3AuthorizationHeader;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A <b>stand-in</b> for a MinIO server, for tests on machines where no real MinIO can run (no Docker); the tests that
 * use it have a Testcontainers twin against the real {@code minio/minio} image. One endpoint,
 * {@code http://127.0.0.1:<port>}, like MinIO's, serves:
 * <ul>
 *   <li>the four service-account calls of MinIO's admin API v3 that {@code io.minio:minio-admin} makes:
 *       {@code PUT add-service-account}, {@code GET list-service-accounts?user=}, {@code GET info-service-account?accessKey=},
 *       {@code DELETE delete-service-account?accessKey=} under {@code /minio/admin/v3/}. Requests must carry an AWS
 *       signature V4 of the root credential, checked with s3proxy's server-side {@link AwsSignature} over the body
 *       actually received (a wrong key, a wrong signature, a body that does not match {@code x-amz-content-sha256} or a
 *       date more than 15 minutes off is refused with MinIO's error codes, as JSON). Request and response payloads are
 *       encrypted as MinIO does it, with minio-admin's own {@link Crypto} (argon2id key from the root secret key,
 *       AES-256-GCM in sio/DARE 16 KiB fragments), so a client that gets the format wrong fails here too. Answers
 *       have madmin-go's JSON shapes; deleting is answered {@code 204}; a missing account is
 *       {@code XMinioAdminServiceAccountNotFound}; a target user that does not exist is {@code XMinioAdminNoSuchUser};
 *       a past expiration, an over-long name or description are refused as MinIO refuses them;</li>
 *   <li>S3, by s3proxy, with real V4 signature checks: a request signed by the root credential or by a service account
 *       that exists and has not expired gets in; one signed by a deleted, expired or unknown key gets
 *       {@code InvalidAccessKeyId}/{@code AccessDenied}. The S3 requests are forwarded to s3proxy with their
 *       {@code Host} header, so the signature is checked over exactly what the client signed.</li>
 * </ul>
 * Not modelled: IAM policies (every valid key may do everything; a service account's policy is only stored and shown
 * by {@code info-service-account}), the v4 admin API, LDAP/OIDC users, site replication. Users exist only through
 * {@link #addUser}. Thread-safe; objects live in memory until {@link #close()}.
 *
 * <p>A test facility that MinIO does not have: {@link #holdAdminCall} and {@link #holdServiceAccountRequest} hold
 * the next such request on the server, before it answers, until the test lets go, so a test can kill its client at an
 * exact point (a crash test, with no hook in the client).
 */
public final class MinioAdminStandIn implements AutoCloseable {

    private static final String ADMIN_PREFIX = "/minio/admin/v3";
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final int MAX_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String rootAccessKey;
    private final String rootSecretKey;
    private final Clock clock;
    private final BlobStore blobStore = new TransientNio2BlobStore();
    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final Map<String, ServiceAccount> accounts = new ConcurrentHashMap<>();
    private final AtomicReference<Hold> adminHold = new AtomicReference<>();
    private final AtomicReference<Hold> s3Hold = new AtomicReference<>();
    private final S3Proxy s3;
    private final Server jetty;
    private final int port;

    private MinioAdminStandIn(String rootAccessKey, String rootSecretKey, Clock clock) {
        this.rootAccessKey = rootAccessKey;
        this.rootSecretKey = rootSecretKey;
        this.clock = clock;
        int s3Port = FreePort.orGiven(0);
        s3 = S3Proxy.builder().blobStore(blobStore).endpoint(URI.create("http://127.0.0.1:" + s3Port))
                .awsAuthentication(AuthenticationType.AWS_V4, rootAccessKey, rootSecretKey).stopTimeout(0).build();
        s3.setBlobStoreLocator((identity, container, blob) -> locate(identity));
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(new AdminApi()), ADMIN_PREFIX + "/*");
        ServletHolder forward = new ServletHolder(new S3Forward());
        forward.setInitParameter("proxyTo", "http://127.0.0.1:" + s3Port);
        forward.setInitParameter("preserveHost", "true");
        context.addServlet(forward, "/*");
        jetty = LoopbackJetty.serving(context);
        try {
            s3.start();
            jetty.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the MinIO stand-in", e);
        }
        port = LoopbackJetty.port(jetty);
    }

    /** Starts a stand-in on a free port whose root (admin) credential is the given pair. */
    public static MinioAdminStandIn start(String rootAccessKey, String rootSecretKey) {
        return start(rootAccessKey, rootSecretKey, Clock.systemUTC());
    }

    /** @param clock decides when a service account has expired (a {@link MutableClock} lets a test get there) */
    public static MinioAdminStandIn start(String rootAccessKey, String rootSecretKey, Clock clock) {
        return new MinioAdminStandIn(rootAccessKey, rootSecretKey, clock);
    }

    /** {@code http://127.0.0.1:<port>}: the admin API and S3. Clients must sign for exactly this host. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Makes a MinIO user that service accounts can be created for ({@code mc admin user add}). */
    public void addUser(String user) {
        users.add(user);
    }

    /** The service account of that access key, as the stand-in holds it, if it exists. */
    public Optional<ServiceAccount> serviceAccount(String accessKey) {
        return Optional.ofNullable(accounts.get(accessKey));
    }

    /**
     * A service account (MinIO calls them access keys too). {@code toString()} leaves the secret key out.
     *
     * @param policy its own policy as JSON, or {@code null} when it inherits its parent user's
     * @param expiration when it stops working, or {@code null} for never
     */
    public record ServiceAccount(String accessKey, String secretKey, String parentUser, String policy, String name,
                                 String description, Instant expiration) {

        boolean expiredAt(Instant now) {
            return expiration != null && !now.isBefore(expiration);
        }

        @Override
        public String toString() {
            return "ServiceAccount[" + accessKey + " of " + parentUser + ", name " + name + ", expires " + expiration + "]";
        }
    }

    /**
     * Test facility: holds the next admin call {@code command} (method and path below {@code /minio/admin/v3}, as
     * {@code "DELETE /delete-service-account"}) once it has taken effect, before its answer is sent, until
     * {@link Hold#close()}. One hold at a time; later calls are not held.
     */
    public Hold holdAdminCall(String command) {
        return arm(adminHold, command);
    }

    /**
     * Test facility: holds the next S3 request signed by a service account (not the root credential), before it is
     * served, until {@link Hold#close()}. One hold at a time; later requests are not held.
     */
    public Hold holdServiceAccountRequest() {
        return arm(s3Hold, "S3");
    }

    private static Hold arm(AtomicReference<Hold> slot, String what) {
        Hold hold = new Hold(what);
        if (!slot.compareAndSet(null, hold)) throw new IllegalStateException("a hold on " + what + " is armed already");
        hold.slot = slot;
        return hold;
    }

    /** A hold armed by {@link #holdAdminCall} or {@link #holdServiceAccountRequest}; {@link #close()} lets go. */
    public static final class Hold implements AutoCloseable {

        private final String what;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private AtomicReference<Hold> slot;

        private Hold(String what) {
            this.what = what;
        }

        /** Waits until a request is held; fails after {@code timeout}. */
        public void awaitHeld(long timeout, TimeUnit unit) throws InterruptedException {
            if (!held.await(timeout, unit)) throw new IllegalStateException("no request for " + what + " came to be held");
        }

        /** Holds the calling request thread until released, if this is the first request to match. */
        private void holdHere() {
            if (!slot.compareAndSet(this, null)) return;
            held.countDown();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            slot.compareAndSet(this, null);
            released.countDown();
        }
    }

    private static void holdIfArmed(AtomicReference<Hold> slot) {
        Hold hold = slot.get();
        if (hold != null) hold.holdHere();
    }

    /** An admin answer that, when its status is set (the call's effect is done by then), is held first. */
    private static final class HeldAnswer extends HttpServletResponseWrapper {

        private final Hold hold;

        HeldAnswer(HttpServletResponse response, Hold hold) {
            super(response);
            this.hold = hold;
        }

        @Override
        public void setStatus(int status) {
            hold.holdHere();
            super.setStatus(status);
        }
    }

    /** Forwards S3 requests to s3proxy, holding one first when {@link #holdServiceAccountRequest} asks. */
    private final class S3Forward extends ProxyServlet.Transparent {

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
            if (s3Hold.get() != null) {
                String authorization = request.getHeader("Authorization");
                try {
                    String identity = authorization == null ? null : new S3AuthorizationHeader(authorization).getIdentity();
                    if (identity != null && accounts.containsKey(identity)) holdIfArmed(s3Hold);
                } catch (RuntimeException notSigned) {
                    // s3proxy refuses it
                }
            }
            super.service(request, response);
        }
    }

    private AccessGrant locate(String identity) {
        if (rootAccessKey.equals(identity)) return new AccessGrant(rootSecretKey, blobStore);
        ServiceAccount account = identity == null ? null : accounts.get(identity);
        if (account == null || account.expiredAt(clock.instant())) return null;
        return new AccessGrant(account.secretKey(), blobStore);
    }

    @Override
    public void close() {
        try {
            if (jetty != null) jetty.stop();
            s3.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the MinIO stand-in", e);
        } finally {
            blobStore.close();
        }
    }

    /** Why a request was not let in: its HTTP status and MinIO's error code. */
    private record Refusal(int status, String code) {
        static final Refusal DENIED = new Refusal(403, "AccessDenied");
    }

    /** The admin API: authenticates, decrypts, answers encrypted. */
    private final class AdminApi extends HttpServlet {

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            byte[] body;
            try (InputStream in = request.getInputStream()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                error(response, 400, "XMinioAdminConfigTooLarge", "request body too large");
                return;
            }
            Refusal refusal = authenticate(request, body);
            if (refusal != null) {
                error(response, refusal.status(), refusal.code(), "the request is not signed by the root credential");
                return;
            }
            String command = request.getMethod() + " " + request.getPathInfo();
            Hold hold = adminHold.get();
            if (hold != null && hold.what.equals(command)) response = new HeldAnswer(response, hold);
            try {
                switch (command) {
                    case "PUT /add-service-account" -> add(body, response);
                    case "GET /list-service-accounts" -> list(request.getParameter("user"), response);
                    case "GET /info-service-account" -> info(request.getParameter("accessKey"), response);
                    case "DELETE /delete-service-account" -> delete(request.getParameter("accessKey"), response);
                    default -> error(response, 501, "NotImplemented", "the stand-in does not serve " + command);
                }
            } catch (InvalidCipherTextException e) {
                error(response, 400, "XMinioAdminConfigBadJSON", "the payload is not encrypted with the root secret key");
            }
        }

        /** {@code null} when the request carries a valid V4 signature of the root credential, else why not. */
        private Refusal authenticate(HttpServletRequest request, byte[] body) {
            String authorization = request.getHeader("Authorization");
            if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) return Refusal.DENIED;
            S3AuthorizationHeader header;
            try {
                header = new S3AuthorizationHeader(authorization);
            } catch (RuntimeException e) {
                return new Refusal(400, "AuthorizationHeaderMalformed");
            }
            if (!rootAccessKey.equals(header.getIdentity())) return new Refusal(403, "InvalidAccessKeyId");
            String date = request.getHeader("x-amz-date");
            try {
                Instant at = LocalDateTime.parse(date == null ? "" : date, AMZ_DATE).toInstant(ZoneOffset.UTC);
                if (Duration.between(at, clock.instant()).abs().compareTo(MAX_SKEW) > 0) return new Refusal(403, "RequestTimeTooSkewed");
            } catch (DateTimeParseException e) {
                return Refusal.DENIED;
            }
            try {
                String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
                if (!sha256.equals(request.getHeader("x-amz-content-sha256"))) return new Refusal(400, "XAmzContentSHA256Mismatch");
                String expected = AwsSignature.createAuthorizationSignatureV4(request, header, body, request.getRequestURI(),
                        rootSecretKey, false, null, null).signature();
                boolean matches = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                        String.valueOf(header.getSignature()).getBytes(StandardCharsets.US_ASCII));
                return matches ? null : new Refusal(403, "SignatureDoesNotMatch");
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot compute a V4 signature", e);
            }
        }

        private void add(byte[] body, HttpServletResponse response) throws IOException, InvalidCipherTextException {
            JsonNode request = JSON.readTree(Crypto.decrypt(new ByteArrayInputStream(body), rootSecretKey));
            String user = request.path("targetUser").asText(rootAccessKey);
            String accessKey = request.path("accessKey").asText("");
            String secretKey = request.path("secretKey").asText("");
            String name = request.path("name").asText(null);
            String description = request.path("description").asText(null);
            if (!user.equals(rootAccessKey) && !users.contains(user)) {
                error(response, 404, "XMinioAdminNoSuchUser", "The specified user does not exist");
                return;
            }
            if (accessKey.length() < 3 || accessKey.length() > 20 || secretKey.length() < 8 || secretKey.length() > 40) {
                error(response, 400, "XMinioAdminInvalidArgument", "access key must be 3-20 and secret key 8-40 characters");
                return;
            }
            if (name != null && !NAME.matcher(name).matches()) {
                error(response, 400, "XMinioAdminInvalidArgument", "name must start with a letter and be at most 32 characters");
                return;
            }
            if (description != null && description.getBytes(StandardCharsets.UTF_8).length > 256) {
                error(response, 400, "XMinioAdminInvalidArgument", "description must be at most 256 bytes long");
                return;
            }
            Instant expiration = null;
            if (request.hasNonNull("expiration")) {
                expiration = OffsetDateTime.parse(request.get("expiration").asText()).toInstant();
                if (expiration.isBefore(clock.instant())) {
                    error(response, 400, "XMinioAdminInvalidArgument", "the expiration time should be in the future");
                    return;
                }
            }
            String policy = request.hasNonNull("policy") ? JSON.writeValueAsString(request.get("policy")) : null;
            ServiceAccount account = new ServiceAccount(accessKey, secretKey, user, policy, name, description, expiration);
            if (rootAccessKey.equals(accessKey) || users.contains(accessKey) || accounts.putIfAbsent(accessKey, account) != null) {
                error(response, 409, "XMinioAdminInvalidArgument", "the access key is already in use");
                return;
            }
            ObjectNode credentials = JSON.createObjectNode();
            credentials.putObject("credentials").put("accessKey", accessKey).put("secretKey", secretKey)
                    .put("expiration", expiration == null ? null : expiration.toString());
            encrypted(response, credentials);
        }

        private void list(String user, HttpServletResponse response) throws IOException, InvalidCipherTextException {
            ObjectNode answer = JSON.createObjectNode();
            var list = answer.putArray("accounts");
            for (ServiceAccount account : accounts.values()) {
                if (account.parentUser().equals(user == null ? rootAccessKey : user)) {
                    ObjectNode entry = describe(account).put("accessKey", account.accessKey());
                    entry.remove("policy");
                    list.add(entry);
                }
            }
            encrypted(response, answer);
        }

        private void info(String accessKey, HttpServletResponse response) throws IOException, InvalidCipherTextException {
            ServiceAccount account = accessKey == null ? null : accounts.get(accessKey);
            if (account == null) {
                error(response, 404, "XMinioAdminServiceAccountNotFound", "The specified service account is not found");
                return;
            }
            encrypted(response, describe(account));
        }

        private void delete(String accessKey, HttpServletResponse response) throws IOException {
            if (accessKey == null || accounts.remove(accessKey) == null) {
                error(response, 404, "XMinioAdminServiceAccountNotFound", "The specified service account is not found");
                return;
            }
            response.setStatus(204);
        }

        private ObjectNode describe(ServiceAccount account) {
            ObjectNode node = JSON.createObjectNode().put("parentUser", account.parentUser()).put("accountStatus", "on")
                    .put("impliedPolicy", account.policy() == null).put("policy", account.policy())
                    .put("name", account.name()).put("description", account.description());
            if (account.expiration() != null) node.put("expiration", account.expiration().toString());
            return node;
        }

        private void encrypted(HttpServletResponse response, JsonNode answer) throws IOException, InvalidCipherTextException {
            byte[] payload = Crypto.encrypt(JSON.writeValueAsBytes(answer), rootSecretKey);
            response.setStatus(200);
            response.setContentType("application/json");
            response.setContentLength(payload.length);
            response.getOutputStream().write(payload);
        }

        private void error(HttpServletResponse response, int status, String code, String message) throws IOException {
            byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("Code", code).put("Message", message)
                    .put("Resource", ADMIN_PREFIX).put("RequestId", Long.toHexString(System.nanoTime())));
            response.setStatus(status);
            response.setContentType("application/json");
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
        }
    }
}

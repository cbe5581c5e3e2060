package io.reseal.cli.evidence;

import io.reseal.embedded.BrokerSecurity;
import io.reseal.embedded.EmbeddedKafka;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The {@code kafka-scram} issuer, {@code alternating-users}, on a broker of its own in the test JVM (a SASL/SCRAM-SHA-512
 * listener with ACLs enforced; not the pipeline's broker: the issuer has its own {@code bootstrapServers}), held with
 * no hook in the sealer:
 * <ul>
 *   <li>in test: the issuer reaches the broker through a {@link ScramLoginHold}, which stalls the pending user's login
 *       (the test step's first act) while the test holds it;</li>
 *   <li>in finish: there is no broker-side point between "credentials deleted" and "answered" that a test can hold
 *       without a hook, so {@link #holdFinish} is the gate issuer's finish, which the sealer runs right after this
 *       issuer's revocation is done (finish revokes in the order of the bundle's keys, and the gate's come last).</li>
 * </ul>
 * What the broker accepts is asked of the broker itself: for each alternating user, a SCRAM exchange is begun on a raw
 * connection, and the server-first message's salt (random for every credential set) is the fingerprint; a user the
 * broker has no credential for is refused at once. Each user must have at most one credential.
 */
final class KafkaScramCrashSubject implements CrashSubject {

    private static final String ADMIN = "crash-admin";
    private static final String PRINCIPAL = "crash-app";
    private static final List<String> USERS = List.of(PRINCIPAL + "-a", PRINCIPAL + "-b");
    private static final String TOPIC = "crash-events";

    private final Path dir;
    private final String adminPassword = "kafka-admin-" + random();
    private EmbeddedKafka kafka;
    private ScramLoginHold relay;
    private ScriptIssuer gate;

    KafkaScramCrashSubject(Path dir) {
        this.dir = dir;
    }

    @Override
    public String issuer() {
        return "crash-kafka";
    }

    @Override
    public String issuerEntry(EvidenceStack stack) {
        kafka = new EmbeddedKafka(BrokerSecurity.saslScram(Map.of(ADMIN, adminPassword), ADMIN));
        kafka.start();
        relay = new ScramLoginHold(kafka.bootstrapServers());
        Path password = dir.resolve("kafka-admin-password");
        try {
            Files.createDirectories(dir);
            Files.writeString(password, adminPassword);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return """
                - name: crash-kafka
                  kafka-scram:
                    bootstrapServers: "%s"
                    protocol: SASL_PLAINTEXT
                    admin: {username: {literal: %s}, password: {file: "%s"}}
                    principal: %s
                    strategy: alternating-users
                """.formatted(relay.address(), ADMIN, password.toAbsolutePath(), PRINCIPAL);
    }

    @Override
    public Map<String, String> keys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("CRASH_KAFKA_USERNAME", "username");
        keys.put("CRASH_KAFKA_PASSWORD", "password");
        return keys;
    }

    @Override
    public void useGate(ScriptIssuer gate) {
        this.gate = gate;
    }

    /** The template principal may read one topic; the rotated users get that ACL. */
    @Override
    public void prepare(EvidenceStack stack) throws Exception {
        try (Admin admin = admin(ADMIN, adminPassword)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                    new AccessControlEntry("User:" + PRINCIPAL, "*", AclOperation.READ, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public Hold holdTest() {
        return relay.hold(Set.copyOf(USERS));
    }

    @Override
    public Hold holdFinish() throws IOException {
        if (gate == null) throw new IllegalStateException("no gate issuer to hold finish in");
        return gate.holdFinish();
    }

    @Override
    public Map<String, String> accepted() throws Exception {
        Map<String, Integer> credentials = new TreeMap<>();
        try (Admin admin = admin(ADMIN, adminPassword)) {
            for (UserScramCredentialsDescription user : admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).values()) {
                if (!user.name().equals(ADMIN)) credentials.put(user.name(), user.credentialInfos().size());
            }
        }
        credentials.forEach((user, count) -> {
            if (count > 1) throw new AssertionError("user " + user + " has " + count + " SCRAM credentials");
        });
        Map<String, String> accepted = new TreeMap<>();
        for (String user : USERS) {
            Optional<String> salt = saltOf(user);
            if (salt.isPresent() != credentials.containsKey(user)) {
                throw new AssertionError("the broker's login and its Admin API disagree on " + user + " (maybe not applied yet)");
            }
            salt.ifPresent(s -> accepted.put(user, fingerprint(s)));
        }
        credentials.keySet().stream().filter(u -> !USERS.contains(u)).forEach(u -> accepted.put(u, "unexpected user"));
        return accepted;
    }

    /** Logs in with the delivered user and password; it must be allowed to see the template's topic. */
    @Override
    public boolean logsIn(Map<String, String> delivered) throws Exception {
        String user = delivered.get("CRASH_KAFKA_USERNAME");
        try (Admin login = admin(user, delivered.get("CRASH_KAFKA_PASSWORD"))) {
            login.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException) return false;
            if (e.getCause() instanceof TopicAuthorizationException) {
                throw new AssertionError(user + " logs in without the ACLs of User:" + PRINCIPAL);
            }
            throw e;
        }
    }

    /** Straight to the broker (not through the relay). */
    private Admin admin(String user, String password) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(AdminClientConfig.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put("sasl.mechanism", "SCRAM-SHA-512");
        props.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(props);
    }

    /**
     * Begins a SCRAM-SHA-512 exchange as {@code user} on a raw connection and returns the salt the broker answers
     * with, or nothing when the broker refuses the user at once (it has no credential for it).
     */
    private Optional<String> saltOf(String user) throws IOException {
        String broker = kafka.bootstrapServers();
        int colon = broker.lastIndexOf(':');
        try (Socket socket = new Socket(broker.substring(0, colon), Integer.parseInt(broker.substring(colon + 1)))) {
            socket.setSoTimeout(30_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            short handshakeVersion = ApiKeys.SASL_HANDSHAKE.latestVersion();
            RequestHeader handshake = new RequestHeader(ApiKeys.SASL_HANDSHAKE, handshakeVersion, "crash-probe", 1);
            send(out, new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512"))
                    .build(handshakeVersion).serializeWithHeader(handshake));
            SaslHandshakeResponse shook = (SaslHandshakeResponse) AbstractResponse.parseResponse(receive(in), handshake);
            if (shook.error() != Errors.NONE) throw new AssertionError("SASL handshake refused: " + shook.error());
            short authenticateVersion = ApiKeys.SASL_AUTHENTICATE.latestVersion();
            RequestHeader authenticate = new RequestHeader(ApiKeys.SASL_AUTHENTICATE, authenticateVersion, "crash-probe", 2);
            byte[] clientFirst = ("n,,n=" + user + ",r=" + random())
                    .getBytes(StandardCharsets.UTF_8);
            send(out, new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData().setAuthBytes(clientFirst))
                    .build(authenticateVersion).serializeWithHeader(authenticate));
            SaslAuthenticateResponse answer = (SaslAuthenticateResponse) AbstractResponse.parseResponse(receive(in), authenticate);
            if (answer.error() == Errors.SASL_AUTHENTICATION_FAILED) return Optional.empty();
            if (answer.error() != Errors.NONE) throw new AssertionError("SCRAM exchange of " + user + ": " + answer.error());
            for (String attribute : new String(answer.saslAuthBytes(), StandardCharsets.UTF_8).split(",")) {
                if (attribute.startsWith("s=")) return Optional.of(attribute.substring(2));
            }
            throw new AssertionError("the broker's server-first message for " + user + " has no salt");
        }
    }

    private static void send(DataOutputStream out, ByteBuffer request) throws IOException {
        byte[] bytes = new byte[request.remaining()];
        request.get(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    private static ByteBuffer receive(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }

    private static String random() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String fingerprint(String salt) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(salt.getBytes(StandardCharsets.UTF_8)), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (relay != null) relay.close();
        if (kafka != null) kafka.close();
    }
}

package io.reseal.sealer.issuer;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.KafkaSecurity;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.issuer.KafkaScramIssuerConfig.Settings;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.Generator;
import io.reseal.sealer.values.ValueResolver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates Kafka SASL/SCRAM users through the Admin API. {@code alternating-users}: two users {@code <principal>-a}
 * and {@code <principal>-b}; each rotation gives the one not in use the ACLs of {@code User:<principal>} (made equal
 * to them: missing ones created, others deleted) and a fresh random password as its only SCRAM credential, so
 * both users log in until finish, which deletes the previous user's SCRAM credentials and its ACLs (the ACLs
 * matter: the broker does not close a connection that is already logged in). {@code single-user}: a fresh password
 * on {@code principal} itself; the previous one stops at once and there is nothing to revoke.
 *
 * <p>The admin client is made by {@link KafkaClients}: the sealer's own Kafka connection, or, with
 * {@code kafka-scram.admin}, that SCRAM login on the issuer's listener. Test logs in on that listener with the pending
 * credential, retrying for a while (a broker applies a new SCRAM credential from the metadata log, not at once),
 * and checks the user carries the template's ACLs. Passwords are sent only as SCRAM salted hashes (the Admin
 * client derives them) and never appear in a message or log. An unreachable broker is retriable
 * ({@code issuer-unavailable}); a refused admin login or a missing permission is permanent ({@code issuer-failed}).
 */
public final class KafkaScramIssuer implements Issuer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaScramIssuer.class);
    private static final Generator PASSWORDS = new Generator(Generator.Kind.TOKEN, 32, null);
    /** How long test keeps trying to log in with a credential the broker may not have applied yet. */
    static final Duration LOGIN_PATIENCE = Duration.ofSeconds(15);
    /** How long one Admin call may take before it counts as unanswered (retriable). */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LOGIN_PAUSE = Duration.ofMillis(250);

    private final KafkaScramIssuerConfig config;
    private final Settings settings;
    private final KafkaConfig sealerKafka;
    private final ValueResolver values;
    private final SecureRandom random;
    private final Duration loginPatience;
    private final Duration callTimeout;

    /**
     * @param sealerKafka the sealer's own Kafka connection: the admin client without {@code kafka-scram.admin}, and
     *     the defaults of the issuer's bootstrap servers, protocol and TLS settings
     */
    public KafkaScramIssuer(KafkaScramIssuerConfig config, KafkaConfig sealerKafka, ValueResolver values, SecureRandom random) {
        this(config, sealerKafka, values, random, LOGIN_PATIENCE, CALL_TIMEOUT);
    }

    KafkaScramIssuer(KafkaScramIssuerConfig config, KafkaConfig sealerKafka, ValueResolver values, SecureRandom random,
                     Duration loginPatience, Duration callTimeout) {
        this.config = config;
        this.settings = config.kafkaScram();
        this.sealerKafka = sealerKafka;
        this.values = values;
        this.random = random;
        this.loginPatience = loginPatience;
        this.callTimeout = callTimeout;
    }

    @Override
    public Pending create(String rotationId, String current) throws RetriableStageException, PermanentStageException {
        String principal = settings.principal();
        boolean alternating = alternating();
        String pending = !alternating ? principal : (principal + "-a").equals(current) ? principal + "-b" : principal + "-a";
        byte[] password = PASSWORDS.generate(random);
        try (Admin admin = admin("create")) {
            if (alternating) copyTemplateAcls(admin, pending);
            setOnlyCredential(admin, pending, password);
            Map<String, SecretValue> fields = new LinkedHashMap<>();
            fields.put("username", SecretValue.ofUtf8(pending));
            fields.put("password", SecretValue.of(password));
            return new Pending(new Credential(pending, fields),
                    new IssuedVersions(config.name(), settings.strategy().wireName(), alternating ? current : null, pending));
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    @Override
    public void test(Pending pending) throws RetriableStageException, PermanentStageException {
        String user = new String(pending.credential().field("username").bytes(), StandardCharsets.UTF_8);
        byte[] password = pending.credential().field("password").bytes();
        try {
            logIn(user, password);
        } finally {
            Arrays.fill(password, (byte) 0);
        }
        if (alternating()) {
            try (Admin admin = admin("test")) {
                Optional<Set<AclBinding>> template = aclsOf(admin, settings.principal(), "test");
                if (template.isPresent() && !template.get().isEmpty()
                        && !aclsOf(admin, user, "test").orElseThrow().equals(retarget(template.get(), user))) {
                    throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, what("test") + ": user " + user
                            + " logs in but does not carry the ACLs of User:" + settings.principal());
                }
            }
        }
    }

    @Override
    public void discard(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (alternating()) revoke(versions.pending(), "discard");
    }

    @Override
    public void revokePrevious(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (versions.current() != null && !versions.current().equals(versions.pending())) {
            revoke(versions.current(), "finish");
        }
    }

    private boolean alternating() {
        return settings.strategy() == UserStrategy.ALTERNATING_USERS;
    }

    /** Deletes every SCRAM credential of {@code user} and every ACL of {@code User:<user>}. Idempotent. */
    private void revoke(String user, String step) throws RetriableStageException, PermanentStageException {
        try (Admin admin = admin(step)) {
            List<UserScramCredentialAlteration> deletions = new ArrayList<>();
            for (ScramMechanism mechanism : mechanismsOf(admin, user, step)) {
                deletions.add(new UserScramCredentialDeletion(user, mechanism));
            }
            if (!deletions.isEmpty()) await(admin.alterUserScramCredentials(deletions).all(), step);
            Optional<Set<AclBinding>> acls = aclsOf(admin, user, step);
            if (acls.isPresent() && !acls.get().isEmpty()) {
                await(admin.deleteAcls(acls.get().stream().map(AclBinding::toFilter).toList()).all(), step);
            }
            LOG.info("issuer {}, {}: user {} has no SCRAM credential and no ACL any more ({} credential(s) deleted)",
                    config.name(), step, user, deletions.size());
        }
    }

    /** Makes the ACLs of {@code User:<user>} those of the template principal. */
    private void copyTemplateAcls(Admin admin, String user) throws RetriableStageException, PermanentStageException {
        Optional<Set<AclBinding>> template = aclsOf(admin, settings.principal(), "create");
        if (template.isEmpty()) {
            LOG.info("issuer {}: the cluster enforces no ACLs; {} gets none to copy", config.name(), user);
            return;
        }
        if (template.get().isEmpty()) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what("create") + ": User:" + settings.principal()
                    + " has no ACLs to copy; kafka-scram.principal must name the principal whose ACLs the rotated users carry");
        }
        Set<AclBinding> wanted = retarget(template.get(), user);
        Set<AclBinding> existing = aclsOf(admin, user, "create").orElseThrow();
        Set<AclBinding> missing = new HashSet<>(wanted);
        missing.removeAll(existing);
        Set<AclBinding> extra = new HashSet<>(existing);
        extra.removeAll(wanted);
        if (!missing.isEmpty()) await(admin.createAcls(missing).all(), "create");
        if (!extra.isEmpty()) await(admin.deleteAcls(extra.stream().map(AclBinding::toFilter).toList()).all(), "create");
        LOG.info("issuer {}: user {} carries the {} ACL(s) of User:{} ({} added, {} removed)", config.name(), user,
                wanted.size(), settings.principal(), missing.size(), extra.size());
    }

    /** Upserts the configured mechanism's credential and deletes any other mechanism's, so exactly one is valid. */
    private void setOnlyCredential(Admin admin, String user, byte[] password)
            throws RetriableStageException, PermanentStageException {
        ScramMechanism mechanism = settings.scramMechanism();
        List<UserScramCredentialAlteration> alterations = new ArrayList<>();
        alterations.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(mechanism, settings.iterations()), password));
        for (ScramMechanism other : mechanismsOf(admin, user, "create")) {
            if (other != mechanism) alterations.add(new UserScramCredentialDeletion(user, other));
        }
        await(admin.alterUserScramCredentials(alterations).all(), "create");
    }

    private List<ScramMechanism> mechanismsOf(Admin admin, String user, String step)
            throws RetriableStageException, PermanentStageException {
        return await(admin.describeUserScramCredentials(List.of(user)).description(user)
                        .thenApply(description -> description.credentialInfos().stream()
                                .map(ScramCredentialInfo::mechanism).filter(m -> m != ScramMechanism.UNKNOWN).distinct().toList()),
                step, ResourceNotFoundException.class, absent -> List.of());
    }

    /** The ACLs naming {@code User:<user>}; empty when the cluster has no authorizer. */
    private Optional<Set<AclBinding>> aclsOf(Admin admin, String user, String step)
            throws RetriableStageException, PermanentStageException {
        AclBindingFilter filter = new AclBindingFilter(ResourcePatternFilter.ANY,
                new AccessControlEntryFilter("User:" + user, null, AclOperation.ANY, AclPermissionType.ANY));
        return await(admin.describeAcls(filter).values().thenApply(acls -> Optional.of(Set.copyOf(acls))),
                step, SecurityDisabledException.class, absent -> Optional.empty());
    }

    /** The template's ACLs with {@code User:<user>} as their principal. */
    private static Set<AclBinding> retarget(Set<AclBinding> template, String user) {
        return template.stream().map(acl -> new AclBinding(acl.pattern(), new AccessControlEntry("User:" + user,
                acl.entry().host(), acl.entry().operation(), acl.entry().permissionType()))).collect(Collectors.toSet());
    }

    /**
     * Logs in on the issuer's listener as {@code user}, trying again on a refused login until the patience is
     * spent (a broker applies a new SCRAM credential a moment after it was set).
     */
    private void logIn(String user, byte[] password) throws RetriableStageException, PermanentStageException {
        KafkaClients login = clients(user, new String(password, StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + loginPatience.toNanos();
        while (true) {
            Optional<AuthenticationException> refused;
            try (Admin client = create(login, "test")) {
                refused = await(client.describeCluster().clusterId().thenApply(id -> Optional.<AuthenticationException>empty()),
                        "test", AuthenticationException.class, Optional::of);
            }
            if (refused.isEmpty()) return;
            if (System.nanoTime() - deadline >= 0) {
                throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, what("test") + ": the new credential of "
                        + user + " does not log in on " + bootstrapServers() + " (" + refused.get().getClass().getSimpleName()
                        + ": " + refused.get().getMessage() + ")");
            }
            try {
                Thread.sleep(LOGIN_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rethrow("test", e);
            }
        }
    }

    /** The admin client: the sealer's own connection, or the {@code kafka-scram.admin} login on the issuer's listener. */
    private Admin admin(String step) throws RetriableStageException, PermanentStageException {
        if (settings.admin() == null) return create(new KafkaClients(sealerKafka), step);
        String what = "issuer " + config.name() + ", admin ";
        SecretValue username = values.resolve(what + "username", settings.admin().username());
        SecretValue password = values.resolve(what + "password", settings.admin().password());
        try {
            return create(clients(new String(username.bytes(), StandardCharsets.UTF_8),
                    new String(password.bytes(), StandardCharsets.UTF_8)), step);
        } finally {
            username.destroy();
            password.destroy();
        }
    }

    /** Clients that log in as {@code user} on the issuer's listener, with the sealer's TLS settings and client properties. */
    private KafkaClients clients(String user, String password) throws PermanentStageException {
        String protocol = settings.protocol() != null ? settings.protocol()
                : sealerKafka.security().usesTls() ? "SASL_SSL" : "SASL_PLAINTEXT";
        try {
            KafkaSecurity security = new KafkaSecurity(protocol,
                    new KafkaSecurity.Sasl(settings.mechanism(), user, password, null, null, null, null),
                    protocol.equals("SASL_SSL") ? sealerKafka.security().tls() : null);
            return new KafkaClients(new KafkaConfig(bootstrapServers(), sealerKafka.partitions(),
                    sealerKafka.replicationFactor(), null, null, security, sealerKafka.properties(), null, null));
        } catch (IllegalArgumentException e) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what("login") + ": " + e.getMessage());
        }
    }

    private String bootstrapServers() {
        return settings.bootstrapServers() != null ? settings.bootstrapServers() : sealerKafka.bootstrapServers();
    }

    private Admin create(KafkaClients clients, String step) throws RetriableStageException, PermanentStageException {
        try {
            return clients.admin(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "reseal-issuer-" + config.name(),
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(10_000, callTimeout.toMillis()),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) callTimeout.toMillis()));
        } catch (InvalidConfigException e) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what(step) + ": " + e.getMessage());
        } catch (KafkaException e) {
            // e.g. no bootstrap address resolves (yet): a passing DNS fault as often as a typo, so retried until the deadline
            throw unavailable(step, e);
        }
    }

    private <T> T await(KafkaFuture<T> future, String step) throws RetriableStageException, PermanentStageException {
        return await(future, step, null, null);
    }

    /**
     * The future's value, waiting at most the call timeout; when it fails with a cause of type {@code expected}
     * (may be {@code null}: none), what {@code onExpected} makes of that cause; any other failure {@link #rethrow rethrown}.
     */
    private <T, E extends Throwable> T await(KafkaFuture<T> future, String step, Class<E> expected,
                                             Function<E, T> onExpected) throws RetriableStageException, PermanentStageException {
        try {
            return future.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (expected != null && expected.isInstance(e.getCause())) return onExpected.apply(expected.cast(e.getCause()));
            rethrow(step, e.getCause());
        } catch (TimeoutException e) {
            rethrow(step, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rethrow(step, e);
        }
        return null;
    }

    /** Always throws: retriable when the cluster could not be reached or answered too late, permanent otherwise. */
    private void rethrow(String step, Throwable cause) throws RetriableStageException, PermanentStageException {
        if (cause instanceof RetriableException || cause instanceof TimeoutException || cause instanceof InterruptedException) {
            throw unavailable(step, cause);
        }
        throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what(step) + ": " + describe(cause));
    }

    private RetriableStageException unavailable(String step, Throwable cause) {
        return new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, what(step) + ": " + describe(cause), null);
    }

    /** The innermost cause's type and message (Kafka's messages name users and mechanisms, never a password). */
    private String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof TimeoutException) return "no answer within " + callTimeout;
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private String what(String step) {
        return "issuer " + config.name() + ", " + step;
    }
}

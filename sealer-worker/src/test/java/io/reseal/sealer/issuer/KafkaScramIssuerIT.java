package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reseal.embedded.BrokerSecurity;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.KafkaSecurity;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kafka SCRAM issuer against a real broker in the test JVM with a SASL/SCRAM-SHA-512 listener and ACLs enforced:
 * every credential logs in, or not, at every phase, and reads what its template principal may read and nothing else.
 * Each test has a template principal of its own, so the users it rotates are its own too.
 */
class KafkaScramIssuerIT {

    private static final String ADMIN_PASSWORD = "kafka-admin-password-must-not-leak";
    private static final String ALLOWED = "app-events";
    private static final String OTHER = "other-events";
    private static EmbeddedKafka kafka;

    enum Access { READS, NOT_AUTHORIZED, LOGIN_REFUSED }

    @BeforeAll
    static void start() throws Exception {
        kafka = new EmbeddedKafka(BrokerSecurity.saslScram(Map.of("admin", ADMIN_PASSWORD), "admin"));
        kafka.start();
        try (Admin admin = clients("admin", ADMIN_PASSWORD).admin(Map.of());
             Producer<String, byte[]> producer = clients("admin", ADMIN_PASSWORD).producer(null, Map.of())) {
            admin.createTopics(List.of(new NewTopic(ALLOWED, 1, (short) 1), new NewTopic(OTHER, 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
            for (String topic : List.of(ALLOWED, OTHER)) {
                producer.send(new ProducerRecord<>(topic, "k", topic.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    @Test
    void alternatingUsersCarryTheTemplatesAclsAndThePreviousUserStaysValidUntilFinish() throws Exception {
        // given: a template principal that may read one topic
        template("app");
        KafkaScramIssuer issuer = issuer("app", adminLogin(), UserStrategy.ALTERNATING_USERS);

        // when: the first rotation
        Issuer.Pending first = issuer.create("rotation-1", null);
        issuer.test(first);

        // then: its user logs in and reads the template's topic, and only that one
        assertThat(first.versions()).isEqualTo(new IssuedVersions("app-kafka", "alternating-users", null, "app-a"));
        awaitAccess(first, ALLOWED, Access.READS);
        assertThat(access(first, OTHER)).isEqualTo(Access.NOT_AUTHORIZED);
        issuer.revokePrevious(first.versions()); // nothing to revoke
        assertThat(access(first, ALLOWED)).isEqualTo(Access.READS);

        // when: a second rotation
        Issuer.Pending second = issuer.create("rotation-2", first.versions().pending());
        issuer.test(second);

        // then: both log in until finish
        assertThat(second.versions()).isEqualTo(new IssuedVersions("app-kafka", "alternating-users", "app-a", "app-b"));
        awaitAccess(second, ALLOWED, Access.READS);
        assertThat(access(second, OTHER)).isEqualTo(Access.NOT_AUTHORIZED);
        assertThat(access(first, ALLOWED)).isEqualTo(Access.READS);

        // when: finish, twice
        issuer.revokePrevious(second.versions());
        issuer.revokePrevious(second.versions());

        // then: only the new one logs in, and the previous user has neither a credential nor an ACL left
        awaitAccess(first, ALLOWED, Access.LOGIN_REFUSED);
        assertThat(access(second, ALLOWED)).isEqualTo(Access.READS);
        assertThat(mechanismsOf("app-a")).isEmpty();
        assertThat(aclsOf("app-a")).isEmpty();

        // when: a third rotation takes the first user again, with a fresh password and the template's ACLs
        Issuer.Pending third = issuer.create("rotation-3", second.versions().pending());
        issuer.test(third);

        // then
        assertThat(third.versions().pending()).isEqualTo("app-a");
        awaitAccess(third, ALLOWED, Access.READS);
        assertThat(access(second, ALLOWED)).isEqualTo(Access.READS);
        assertThat(access(first, ALLOWED)).isEqualTo(Access.LOGIN_REFUSED);
    }

    @Test
    void aCreateRerunForTheSameRotationReplacesThePendingCredentialInsteadOfAddingOne() throws Exception {
        // given: a sealer that made a pending credential and died before sealing it
        template("crash");
        KafkaScramIssuer issuer = issuer("crash", adminLogin(), UserStrategy.ALTERNATING_USERS);
        Issuer.Pending lost = issuer.create("rotation-1", "crash-b");

        // when: the rotation runs again
        Issuer.Pending again = issuer.create("rotation-1", "crash-b");
        issuer.test(again);

        // then: the same user, one SCRAM credential, the template's ACLs once, and only the password sealed logs in
        assertThat(again.versions().pending()).isEqualTo(lost.versions().pending()).isEqualTo("crash-a");
        assertThat(mechanismsOf("crash-a")).containsExactly(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192));
        assertThat(aclsOf("crash-a")).hasSize(aclsOf("crash").size());
        awaitAccess(again, ALLOWED, Access.READS);
        assertThat(access(lost, ALLOWED)).isEqualTo(Access.LOGIN_REFUSED);
    }

    @Test
    void aPendingCredentialThatFailsItsTestIsDiscardedAndTheCurrentOneStays() throws Exception {
        // given: the current user, made by a rotation that passed its test
        template("flaky");
        KafkaScramIssuer working = issuer("flaky", adminLogin(), UserStrategy.ALTERNATING_USERS);
        Issuer.Pending current = working.create("rotation-1", null);
        working.test(current);
        // and an issuer set to SCRAM-SHA-256, which the broker's listener does not enable; it administers through
        // the sealer's own connection (no kafka-scram.admin), which logs in with SCRAM-SHA-512
        KafkaConfig sealerKafka = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, null, security("admin",
                ADMIN_PASSWORD), null, null, null);
        KafkaScramIssuer failing = new KafkaScramIssuer(new KafkaScramIssuerConfig("app-kafka", new KafkaScramIssuerConfig.Settings(
                null, null, null, "flaky", "SCRAM-SHA-256", null, null), null), sealerKafka, values(ADMIN_PASSWORD),
                new SecureRandom(), Duration.ofSeconds(2), KafkaScramIssuer.CALL_TIMEOUT);
        Issuer.Pending pending = failing.create("rotation-2", current.versions().pending());
        assertThat(mechanismsOf("flaky-b")).extracting(ScramCredentialInfo::mechanism).containsExactly(ScramMechanism.SCRAM_SHA_256);

        // when: its test fails, as the sealer then discards it
        assertThatThrownBy(() -> failing.test(pending)).isInstanceOfSatisfying(PermanentStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-test-failed"))
                .hasMessageContaining("the new credential of flaky-b does not log in")
                .hasMessageNotContaining(new String(pending.credential().field("password").bytes(), StandardCharsets.UTF_8));
        failing.discard(pending.versions());

        // then: the pending user has no credential and no ACL; the current one still reads
        assertThat(mechanismsOf("flaky-b")).isEmpty();
        assertThat(aclsOf("flaky-b")).isEmpty();
        awaitAccess(current, ALLOWED, Access.READS);
    }

    @Test
    void singleUserChangesThePasswordOfThePrincipalAtOnce() throws Exception {
        // given
        template("solo");
        KafkaScramIssuer issuer = issuer("solo", adminLogin(), UserStrategy.SINGLE_USER);
        Issuer.Pending first = issuer.create("rotation-1", null);
        issuer.test(first);

        // when
        Issuer.Pending second = issuer.create("rotation-2", first.versions().pending());
        issuer.test(second);
        issuer.revokePrevious(second.versions());

        // then: the principal itself, with the new password only
        assertThat(second.versions()).isEqualTo(new IssuedVersions("app-kafka", "single-user", null, "solo"));
        awaitAccess(first, ALLOWED, Access.LOGIN_REFUSED);
        assertThat(access(second, ALLOWED)).isEqualTo(Access.READS);
        assertThat(access(second, OTHER)).isEqualTo(Access.NOT_AUTHORIZED);
    }

    @Test
    void aTemplateWithoutAclsIsRefusedByName() throws Exception {
        KafkaScramIssuer issuer = issuer("nobody", adminLogin(), UserStrategy.ALTERNATING_USERS);

        assertThatThrownBy(() -> issuer.create("rotation-1", null))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-failed"))
                .hasMessageContaining("User:nobody has no ACLs to copy");
        assertThat(mechanismsOf("nobody-a")).isEmpty();
    }

    @Test
    void aRefusedAdminLoginIsAPermanentFailureThatNamesNoPassword() {
        KafkaScramIssuer issuer = new KafkaScramIssuer(new KafkaScramIssuerConfig("app-kafka",
                new KafkaScramIssuerConfig.Settings(kafka.bootstrapServers(), "SASL_PLAINTEXT", adminLogin(),
                        "app", null, null, null), null),
                KafkaConfig.defaults(), values("wrong-admin-password"), new SecureRandom());

        assertThatThrownBy(() -> issuer.create("rotation-1", null))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-failed"))
                .hasMessageStartingWith("issuer app-kafka, create: SaslAuthenticationException")
                .hasMessageNotContaining("wrong-admin-password");
    }

    @Test
    void aBrokerThatCannotBeReachedIsRetriable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        KafkaScramIssuer issuer = new KafkaScramIssuer(new KafkaScramIssuerConfig("app-kafka",
                new KafkaScramIssuerConfig.Settings("127.0.0.1:" + closedPort, null, adminLogin(), "app", null, null, null),
                null), KafkaConfig.defaults(), values(ADMIN_PASSWORD), new SecureRandom(), KafkaScramIssuer.LOGIN_PATIENCE,
                Duration.ofSeconds(3));

        assertThatThrownBy(() -> issuer.create("rotation-1", null))
                .isInstanceOfSatisfying(RetriableStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-unavailable"))
                .hasMessageStartingWith("issuer app-kafka, create: ")
                .hasMessageNotContaining(ADMIN_PASSWORD);
    }

    /** Lets {@code User:<principal>} read {@link #ALLOWED} (literal) and use consumer groups {@code <principal>-*}. */
    private static void template(String principal) throws Exception {
        String user = "User:" + principal;
        try (Admin admin = clients("admin", ADMIN_PASSWORD).admin(Map.of())) {
            admin.createAcls(List.of(
                    new AclBinding(new ResourcePattern(ResourceType.TOPIC, ALLOWED, PatternType.LITERAL),
                            new AccessControlEntry(user, "*", AclOperation.READ, AclPermissionType.ALLOW)),
                    new AclBinding(new ResourcePattern(ResourceType.GROUP, principal + "-", PatternType.PREFIXED),
                            new AccessControlEntry(user, "*", AclOperation.READ, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaScramIssuer issuer(String principal, AdminLogin admin, UserStrategy strategy) {
        // the sealer's own connection is plaintext elsewhere: the issuer's listener and admin are its own settings
        return new KafkaScramIssuer(new KafkaScramIssuerConfig("app-kafka", new KafkaScramIssuerConfig.Settings(
                kafka.bootstrapServers(), null, admin, principal, null, null, strategy), null),
                KafkaConfig.defaults(), values(ADMIN_PASSWORD), new SecureRandom());
    }

    /** The admin login, its password from the environment {@link #values} makes. */
    private static AdminLogin adminLogin() {
        return new AdminLogin(new ValueSource.Literal("admin"), new ValueSource.Env("KAFKA_ADMIN_PASSWORD"));
    }

    private static ValueResolver values(String adminPassword) {
        return new ValueResolver(Map.of("KAFKA_ADMIN_PASSWORD", adminPassword)::get, new ClusterAccess(List.of()), "dev",
                new SecureRandom());
    }

    private static List<ScramCredentialInfo> mechanismsOf(String user) throws Exception {
        try (Admin admin = clients("admin", ADMIN_PASSWORD).admin(Map.of())) {
            return admin.describeUserScramCredentials(List.of(user)).description(user).get(30, TimeUnit.SECONDS).credentialInfos();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ResourceNotFoundException) return List.of();
            throw e;
        }
    }

    private static List<AclBinding> aclsOf(String user) throws Exception {
        try (Admin admin = clients("admin", ADMIN_PASSWORD).admin(Map.of())) {
            return List.copyOf(admin.describeAcls(new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(
                    "User:" + user, null, AclOperation.ANY, AclPermissionType.ANY))).values().get(30, TimeUnit.SECONDS));
        }
    }

    /** The broker applies credentials and ACLs from its metadata log a moment after the admin call returned. */
    private static void awaitAccess(Issuer.Pending credential, String topic, Access expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(access(credential, topic)).isEqualTo(expected));
    }

    private static Access access(Issuer.Pending credential, String topic) {
        return access(kafka.bootstrapServers(), new String(credential.credential().field("username").bytes(), StandardCharsets.UTF_8),
                new String(credential.credential().field("password").bytes(), StandardCharsets.UTF_8), topic);
    }

    /** Logs in on the SCRAM-SHA-512 listener {@code bootstrapServers} and reads the one record of {@code topic}, its name. */
    static Access access(String bootstrapServers, String user, String password, String topic) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Consumer<String, byte[]> consumer = clients(bootstrapServers, user, password).consumer(null, Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (new String(record.value(), StandardCharsets.UTF_8).equals(topic)) return Access.READS;
                }
            }
            throw new AssertionError(user + " logged in but read nothing of " + topic);
        } catch (AuthenticationException e) {
            return Access.LOGIN_REFUSED;
        } catch (TopicAuthorizationException e) {
            return Access.NOT_AUTHORIZED;
        }
    }

    private static KafkaClients clients(String user, String password) {
        return clients(kafka.bootstrapServers(), user, password);
    }

    private static KafkaClients clients(String bootstrapServers, String user, String password) {
        return new KafkaClients(new KafkaConfig(bootstrapServers, 1, (short) 1, null, null, security(user, password),
                Map.of("request.timeout.ms", "10000"), null, null));
    }

    /** A SCRAM-SHA-512 login over SASL_PLAINTEXT, as the embedded broker's client listener takes it. */
    static KafkaSecurity security(String user, String password) {
        return new KafkaSecurity("SASL_PLAINTEXT", new KafkaSecurity.Sasl("SCRAM-SHA-512", user, password, null, null, null, null),
                null);
    }
}

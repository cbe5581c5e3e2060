package io.reseal.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.embedded.BrokerSecurity;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.TestCertificates;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.KafkaSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients {@link KafkaClients} makes log in to a real broker that enforces TLS, SASL and ACLs: SCRAM-SHA-512
 * over TLS with a PEM CA and without TLS, and mutual TLS with a PEM certificate and PKCS#8 key; a principal without an ACL is refused.
 */
class SecuredKafkaIT {

    private static final String TOPIC = "secured";

    @TempDir
    Path dir;

    @Test
    void scramOverTlsLogsInAndTheAuthorizerDecidesPerPrincipal() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        Map<String, String> users = Map.of("admin", "admin-secret", "alice", "alice-secret", "bob", "bob-secret");
        try (EmbeddedKafka kafka = new EmbeddedKafka(BrokerSecurity.saslSsl(certificates, users, "admin"))) {
            kafka.start();
            KafkaClients admin = scram(kafka, certificates, "admin", "admin-secret");
            allow(admin, "alice");

            send(scram(kafka, certificates, "alice", "alice-secret"), "from alice");
            assertThat(read(scram(kafka, certificates, "alice", "alice-secret"))).containsExactly("from alice");

            assertThatThrownBy(() -> send(scram(kafka, certificates, "bob", "bob-secret"), "from bob"))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> send(scram(kafka, certificates, "alice", "wrong"), "from an impostor"))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void scramWithoutTlsLogsInToo() throws Exception {
        Map<String, String> users = Map.of("admin", "admin-secret", "alice", "alice-secret");
        try (EmbeddedKafka kafka = new EmbeddedKafka(BrokerSecurity.saslScram(users, "admin"))) {
            kafka.start();
            allow(clients(kafka, saslPlaintext("admin", "admin-secret")), "alice");

            send(clients(kafka, saslPlaintext("alice", "alice-secret")), "from alice");
            assertThat(read(clients(kafka, saslPlaintext("alice", "alice-secret")))).containsExactly("from alice");
        }
    }

    private static KafkaSecurity saslPlaintext(String user, String password) {
        return new KafkaSecurity("SASL_PLAINTEXT", new KafkaSecurity.Sasl("SCRAM-SHA-512", user, password, null, null, null, null), null);
    }

    @Test
    void mutualTlsMakesTheCertificatesCommonNameThePrincipal() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        try (EmbeddedKafka kafka = new EmbeddedKafka(BrokerSecurity.mutualTls(certificates, "admin"))) {
            kafka.start();
            allow(mutualTls(kafka, certificates, "admin"), "carol");

            send(mutualTls(kafka, certificates, "carol"), "from carol");
            assertThat(read(mutualTls(kafka, certificates, "carol"))).containsExactly("from carol");
            assertThatThrownBy(() -> send(mutualTls(kafka, certificates, "dave"), "from dave"))
                    .hasCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static KafkaClients scram(EmbeddedKafka kafka, TestCertificates certificates, String user, String password) {
        return clients(kafka, new KafkaSecurity("SASL_SSL",
                new KafkaSecurity.Sasl("SCRAM-SHA-512", user, password, null, null, null, null),
                new KafkaSecurity.Tls(certificates.caFile().toString(), null, null, null, null, null, null, null, null)));
    }

    private static KafkaClients mutualTls(EmbeddedKafka kafka, TestCertificates certificates, String commonName) {
        Path certificate = certificates.clientCertificate(commonName);
        Path key = certificate.resolveSibling(commonName + ".key");
        return clients(kafka, new KafkaSecurity("SSL", null, new KafkaSecurity.Tls(certificates.caFile().toString(),
                null, null, certificate.toString(), key.toString(), null, null, null, null)));
    }

    private static KafkaClients clients(EmbeddedKafka kafka, KafkaSecurity security) {
        return new KafkaClients(new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, null, security,
                Map.of("request.timeout.ms", "10000"), null, null));
    }

    /** As the super user: creates the topic and lets {@code user} write and read it. */
    private static void allow(KafkaClients superUser, String user) throws Exception {
        try (Admin admin = superUser.admin(Map.of())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL);
            admin.createAcls(List.of(
                    new AclBinding(topic, new AccessControlEntry("User:" + user, "*", AclOperation.WRITE, AclPermissionType.ALLOW)),
                    new AclBinding(topic, new AccessControlEntry("User:" + user, "*", AclOperation.READ, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void send(KafkaClients clients, String value) throws ExecutionException, InterruptedException,
            java.util.concurrent.TimeoutException {
        try (Producer<String, byte[]> producer = clients.producer(null, Map.of(
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000))) {
            producer.send(new ProducerRecord<>(TOPIC, "k", value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> read(KafkaClients clients) {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        List<String> values = new ArrayList<>();
        try (Consumer<String, byte[]> consumer = clients.consumer(null, Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false))) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (consumer.position(partition, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }
}

package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.embedded.BrokerSecurity;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.embedded.TestCertificates;
import io.reseal.notifier.NotifierWorker;
import io.reseal.packager.PackagerWorker;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.KafkaSecurity;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.producer.RotationProducer;
import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.status.RotationStatus;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.kube.ClusterAccess;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four services on a broker that speaks only SASL_SSL (SCRAM-SHA-512, a CA made for the test) and enforces
 * exactly the ACLs of {@code deploy/strimzi/kafka-users.yaml}: each service logs in as its own principal, configured
 * through the {@code KAFKA_*} variables, and a rotation goes through the pipeline; a principal without the sealer's
 * ACL cannot put a record on {@code sealed}. No Kafka password appears in the log or in a printed configuration.
 */
@Timeout(300)
class KafkaAclsIT {

    private static final String TOKEN = "acls-it-" + UUID.randomUUID();
    private static final List<String> SERVICES = List.of("producer", "sealer", "packager", "notifier");

    @TempDir
    static Path dir;
    private static final Deque<AutoCloseable> started = new ArrayDeque<>();
    private static final Map<String, String> passwords = new HashMap<>();
    private static final Map<String, ResealConfig> configs = new HashMap<>();
    private static RotationProducer producer;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir.resolve("tls"));
        passwords.put("admin", "admin-" + UUID.randomUUID());
        SERVICES.forEach(service -> passwords.put("reseal-" + service, service + "-" + UUID.randomUUID()));
        EmbeddedKafka kafka = remember(new EmbeddedKafka(BrokerSecurity.saslSsl(certificates, passwords, "admin")));
        kafka.start();
        EmbeddedS3 s3 = remember(new EmbeddedS3("acls-it", "acls-it-" + UUID.randomUUID(), dir.resolve("s3"), 0));
        s3.start();
        EmbeddedSmtp smtp = remember(new EmbeddedSmtp(0, dir.resolve("mail")));
        smtp.start();

        // what the Topic Operator and the User Operator do: the topics, and the shipped ACLs
        KafkaConfig admin = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, null, new KafkaSecurity("SASL_SSL",
                new KafkaSecurity.Sasl("SCRAM-SHA-512", "admin", passwords.get("admin"), null, null, null, null),
                new KafkaSecurity.Tls(certificates.caFile().toString(), null, null, null, null, null, null, null, null)), null,
                null, null);
        try (Admin client = new KafkaClients(admin).admin(Map.of())) {
            client.createTopics(admin.topicNames().all().values().stream().map(name -> new NewTopic(name, 1, (short) 1))
                    .toList()).all().get(60, TimeUnit.SECONDS);
            client.createAcls(ShippedKafkaAcls.strimzi()).all().get(60, TimeUnit.SECONDS);
        }

        Path config = writeConfig();
        for (String service : SERVICES) {
            Map<String, String> environment = new HashMap<>(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                    "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                    "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                    "KAFKA_SASL_USERNAME", "reseal-" + service,
                    "KAFKA_SASL_PASSWORD", passwords.get("reseal-" + service),
                    "KAFKA_TLS_CA_FILE", certificates.caFile().toString()));
            environment.putAll(Map.of("S3_ENDPOINT", s3.endpoint().toString(), "S3_ACCESS_KEY", s3.accessKey(),
                    "S3_SECRET_KEY", s3.secretKey(), "SMTP_HOST", smtp.host(), "SMTP_PORT", Integer.toString(smtp.port())));
            configs.put(service, ConfigLoader.load(config, environment::get));
        }
        Clock clock = Clock.systemUTC();
        ResealConfig sealer = configs.get("sealer");
        ClusterAccess clusters = remember(new ClusterAccess(sealer.clusters()));
        remember(SealerWorker.start(sealer.sealer(), sealer.kafka(), clusters, name -> null, clock, new SimpleMeterRegistry()));
        remember(PackagerWorker.start(configs.get("packager").packager(), configs.get("packager").kafka(), clock,
                new SimpleMeterRegistry()));
        remember(NotifierWorker.start(configs.get("notifier").notifier(), configs.get("notifier").kafka(), clock,
                new SimpleMeterRegistry()));
        ResealConfig api = configs.get("producer");
        producer = remember(RotationProducer.start(api.api().withPlaintextToken("acls-it", TOKEN).withPort(0), api.kafka(),
                api.workflows(), clock));
    }

    @AfterAll
    static void stop() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    void everyServiceWorksAsItsOwnPrincipalWithTheShippedAcls() throws Exception {
        RotateClient client = new RotateClient(URI.create("http://localhost:" + producer.port()), TOKEN, Duration.ofMillis(500));

        String rotationId = client.rotate("financial-ml", List.of("dev"), "financial-team@example.com", List.of(), "ACL test");
        RotationStatus status = client.waitFor(rotationId, Duration.ofSeconds(120));

        assertThat(status.stage()).as(RotateClient.render(status)).isEqualTo("notified");
        String log = Files.readString(Path.of(System.getProperty("reseal.test.log", "target/test-logs/reseal-test.log")));
        for (String service : SERVICES) {
            String password = passwords.get("reseal-" + service);
            assertThat(configs.get(service).kafka().toString()).doesNotContain(password);
            assertThat(log).as("the test log").doesNotContain(password);
        }
    }

    @Test
    void aPrincipalWithoutTheSealersAclCannotPutARecordOnSealed() {
        KafkaConfig packager = configs.get("packager").kafka();
        try (Producer<String, byte[]> forger = new KafkaClients(packager).producer(null, Map.of(
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            ProducerRecord<String, byte[]> forged = new ProducerRecord<>(packager.topicNames().of(EventType.SEALED),
                    "financial-ml", "{\"specversion\":\"1.0\"}".getBytes(StandardCharsets.UTF_8));

            assertThatThrownBy(() -> forger.send(forged).get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(TopicAuthorizationException.class)
                    .hasMessageContaining(packager.topicNames().of(EventType.SEALED));
        }
    }

    private static Path writeConfig() throws Exception {
        ControllerKeyPair.generate("reseal-acls-it", 2048, Instant.now(), new SecureRandom()).writeTo(dir.resolve("sealing-key"));
        PackageSigner.loadOrGenerate(dir.resolve("signing"));
        Path file = dir.resolve("reseal.yaml");
        Files.writeString(file, """
                kafka:
                  partitions: 1
                  retryDeadline: PT1M
                clusters:
                  - name: local
                    certificate: {file: "%1$s/sealing-key/tls.crt", refresh: PT10M}
                bundles:
                  - name: ml-platform
                    keys:
                      MLFLOW_TRACKING_PASSWORD: {generate: {kind: password, length: 32}}
                workflows:
                  - name: financial-ml
                    requestor: financial-team@example.com
                    bundles: [ml-platform]
                    environments:
                      dev: {}
                s3:
                  bucket: reseal-packages
                  linkExpiry: P1D
                  signingKey: "%1$s/signing/package-signing.pem"
                smtp:
                  from: reseal@localhost
                  sendTimeout: PT5S
                """.formatted(dir.toAbsolutePath()));
        return file;
    }

    private static <T extends AutoCloseable> T remember(T resource) {
        started.push(resource);
        return resource;
    }
}

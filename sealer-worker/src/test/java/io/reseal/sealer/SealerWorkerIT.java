package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.EmbeddedKubernetes;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.ClusterConfig.ControllerRef;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.Generator;
import io.reseal.sealer.values.ValueSource;
import io.reseal.sealer.values.ValueSource.SecretKeyRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sealer-worker as a service on a real broker: a request in, one committed sealed record out (and a
 * failed record for a request it cannot serve); then every record it wrote and every log line of the run
 * are searched for the plaintext values, and none is found.
 */
class SealerWorkerIT {

    private static final String TOKEN = "env-token-" + UUID.randomUUID();
    private static final String FILE_VALUE = "file-value-" + UUID.randomUUID();
    private static final String SECRET_VALUE = "k8s-secret-value-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void sealsARequestThroughKafkaAndLeaksNoPlaintext() throws Exception {
        TestLog log = TestLog.mark();
        try (EmbeddedKafka kafka = new EmbeddedKafka(); EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
            // given
            start(kafka, cluster);
            SealerConfig config = config();
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();

            // when
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of("dev-cluster", cluster.client()));
                 SealerWorker worker = SealerWorker.start(config, kafkaConfig, access, Map.of("ML_TOKEN", TOKEN)::get,
                         Clock.systemUTC(), new SimpleMeterRegistry());
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-ok", "financial-ml"))).get();
                producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-unknown", "unknown-ml"))).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, topics.of(EventType.SEALED)).size() == 1
                        && committed(kafka, topics.of(EventType.FAILED)).size() == 1);
                assertThat(worker.isRunning()).isTrue();
            }

            // then: one sealed record for the rotation, every environment sealed with its cluster's key, same values
            ConsumerRecord<String, byte[]> sealedRecord = committed(kafka, topics.of(EventType.SEALED)).get(0);
            assertThat(sealedRecord.key()).isEqualTo("financial-ml");
            RotationEvent<?> sealedEvent = codec.fromRecord(sealedRecord);
            RotationSealed sealed = sealedEvent.dataAs(RotationSealed.class);
            assertThat(sealedEvent.rotationId()).isEqualTo("rotation-ok");
            assertThat(sealed.environments()).extracting(RotationSealed.Environment::certificateFingerprint).containsExactly(
                    TestControllers.key(0).sealingCertificate().fingerprint(), TestControllers.key(1).sealingCertificate().fingerprint());
            Map<String, String> dev = TestControllers.unseal(sealed.environments().get(0).secrets().get(0).manifest(), TestControllers.key(0));
            Map<String, String> production = TestControllers.unseal(sealed.environments().get(1).secrets().get(0).manifest(),
                    TestControllers.key(1));
            assertThat(dev).isEqualTo(production)
                    .containsEntry("token", TOKEN).containsEntry("ca", FILE_VALUE).containsEntry("db-password", SECRET_VALUE);
            RotationFailed failed = codec.fromRecord(committed(kafka, topics.of(EventType.FAILED)).get(0)).dataAs(RotationFailed.class);
            assertThat(failed.stage()).isEqualTo("sealer");
            assertThat(failed.errorCode()).isEqualTo("unknown-workflow");
            assertThat(failed.rotationId()).isEqualTo("rotation-unknown");

            // then: no plaintext anywhere (the log file is shared by every test of this JVM, so: the lines of this run)
            List<String> plaintexts = List.of(TOKEN, FILE_VALUE, SECRET_VALUE, dev.get("password"), dev.get("api-key"));
            List<String> forms = new ArrayList<>();
            for (String plaintext : plaintexts) {
                forms.add(plaintext);
                forms.add(Base64.getEncoder().encodeToString(plaintext.getBytes(StandardCharsets.UTF_8)));
            }
            List<String> written = new ArrayList<>();
            for (String topic : topics.all().values()) {
                for (ConsumerRecord<String, byte[]> record : committed(kafka, topic)) {
                    written.add(record.key() + " " + new String(record.value(), StandardCharsets.UTF_8));
                    for (Header header : record.headers()) {
                        written.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertThat(written).hasSizeGreaterThanOrEqualTo(4);
            String logText = log.sinceMark();
            assertThat(logText).contains("stage sealer started");
            for (int i = 0; i < forms.size(); i++) {
                String form = forms.get(i);
                assertThat(written.stream().anyMatch(text -> text.contains(form)))
                        .withFailMessage("a Kafka record holds plaintext form #%d", i).isFalse();
                assertThat(logText.contains(form)).withFailMessage("the test log holds plaintext form #%d", i).isFalse();
            }
        }
    }

    @Test
    void aControllerKeyRenewedWhileTheSealerWasDownIsNoticedAfterItsRestart() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(); EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
            // given: a rotation sealed with the dev cluster's key 0, then the sealer stops
            start(kafka, cluster);
            SealerConfig config = config();
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of("dev-cluster", cluster.client()));
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                try (SealerWorker first = SealerWorker.start(config, kafkaConfig, access, Map.of("ML_TOKEN", TOKEN)::get,
                        Clock.systemUTC(), new SimpleMeterRegistry())) {
                    producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-before", "financial-ml"))).get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, topics.of(EventType.SEALED)).size() == 1);
                }

                // when: the controller renews its key while no sealer runs, and a sealer starts again
                cluster.serveControllerCertificate("kube-system", "sealed-secrets-controller", TestControllers.key(2).certificatePem());
                try (SealerWorker second = SealerWorker.start(config, kafkaConfig, access, Map.of("ML_TOKEN", TOKEN)::get,
                        Clock.systemUTC(), new SimpleMeterRegistry())) {
                    // then: it asks for a key-renewal rotation of the workflow's dev environment, and seals it with key 2
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, topics.of(EventType.SEALED)).size() == 2);
                }
            }
            RotationSealed renewal = codec.fromRecord(committed(kafka, topics.of(EventType.SEALED)).get(1)).dataAs(RotationSealed.class);
            assertThat(renewal.trigger()).isEqualTo(io.reseal.pipeline.event.Trigger.KEY_RENEWAL);
            assertThat(renewal.environments()).extracting(RotationSealed.Environment::name).containsExactly("dev");
            assertThat(renewal.environments().get(0).certificateFingerprint())
                    .isEqualTo(TestControllers.key(2).sealingCertificate().fingerprint());
        }
    }

    @Test
    void aForgedFingerprintOnTheSealedTopicTriggersNoKeyRenewal() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(); EmbeddedKubernetes cluster = new EmbeddedKubernetes()) {
            start(kafka, cluster);
            SealerConfig config = config();
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of("dev-cluster", cluster.client()));
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                io.reseal.pipeline.stage.TopicBootstrap.ensure(new KafkaClients(kafkaConfig), topics, 1, (short) 1);
                // given: a record of another writer claims the dev cluster sealed with another key
                producer.send(codec.toRecord(topics.of(EventType.SEALED), forgedSealed("forged-1", "/hostile",
                        OffsetDateTime.now(ZoneOffset.UTC)))).get();
                try (SealerWorker worker = SealerWorker.start(config, kafkaConfig, access, Map.of("ML_TOKEN", TOKEN)::get,
                        Clock.systemUTC(), new SimpleMeterRegistry())) {
                    producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-1", "financial-ml"))).get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, topics.of(EventType.SEALED)).size() == 2);
                }
                // and: an old record in the sealer's name, older than the real seal with key 0
                producer.send(codec.toRecord(topics.of(EventType.SEALED), forgedSealed("forged-2", SealerStage.SOURCE,
                        OffsetDateTime.now(ZoneOffset.UTC).minusDays(1)))).get();
                try (SealerWorker worker = SealerWorker.start(config, kafkaConfig, access, Map.of("ML_TOKEN", TOKEN)::get,
                        Clock.systemUTC(), new SimpleMeterRegistry())) {
                    producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-2", "financial-ml"))).get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(kafka, topics.of(EventType.SEALED)).size() == 4);
                }
            }
            // then: no key-renewal request was made
            assertThat(committed(kafka, topics.of(EventType.REQUESTED))).extracting(r -> codec.fromRecord(r).rotationId())
                    .containsExactly("rotation-1", "rotation-2");
        }
    }

    private static RotationEvent<RotationSealed> forgedSealed(String rotationId, String source, OffsetDateTime time) {
        RotationSealed.Secret secret = new RotationSealed.Secret("ml-platform", "Opaque", io.reseal.pipeline.event.SecretScope.STRICT,
                List.of("endpoint"), "kind: SealedSecret\n");
        return RotationEvent.forRotation(rotationId, EventType.SEALED, source, "financial-ml", time,
                new RotationSealed(rotationId, "financial-ml", "evil@example.com", io.reseal.pipeline.event.Trigger.AD_HOC,
                        "forged", time.toInstant(), List.of(new RotationSealed.Environment("dev", "financial-ml-dev",
                        "dev-cluster", "ab".repeat(32), List.of(), List.of(secret)))));
    }

    /** Starts both servers; the dev cluster's controller serves key 0 and holds the Secret a value comes from. */
    private static void start(EmbeddedKafka kafka, EmbeddedKubernetes cluster) {
        kafka.start();
        cluster.start();
        cluster.serveControllerCertificate("kube-system", "sealed-secrets-controller", TestControllers.key(0).certificatePem());
        cluster.client().secrets().inNamespace("vault").resource(new SecretBuilder()
                .withNewMetadata().withName("database").withNamespace("vault").endMetadata()
                .addToData("password", Base64.getEncoder().encodeToString(SECRET_VALUE.getBytes(StandardCharsets.UTF_8)))
                .build()).create();
    }

    private SealerConfig config() throws Exception {
        Path prodCert = Files.writeString(dir.resolve("prod.pem"), TestControllers.key(1).certificatePem());
        Path caFile = Files.writeString(dir.resolve("ca"), FILE_VALUE);
        List<ClusterConfig> clusters = List.of(
                new ClusterConfig("dev-cluster", null, false, new CertificateConfig.FromController(new ControllerRef(null, null), null)),
                new ClusterConfig("prod-cluster", null, false, new CertificateConfig.FromFile(prodCert.toString(), null)));
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("endpoint", new ValueSource.Literal("https://mlflow.example.com"));
        keys.put("token", new ValueSource.Env("ML_TOKEN"));
        keys.put("ca", new ValueSource.File(caFile.toString()));
        keys.put("db-password", new ValueSource.FromSecret(new SecretKeyRef(null, "vault", "database", "password")));
        keys.put("password", new ValueSource.Generated(new Generator(Generator.Kind.PASSWORD, 32, null)));
        keys.put("api-key", new ValueSource.Generated(new Generator(Generator.Kind.HEX, 40, null)));
        Map<String, EnvironmentConfig> environments = new LinkedHashMap<>();
        environments.put("dev", new EnvironmentConfig("dev-cluster", null, null, null));
        environments.put("production", new EnvironmentConfig("prod-cluster", null, null, null));
        return new SealerConfig(clusters, List.of(new BundleConfig("ml-platform", null, null, null, keys)),
                List.of(new WorkflowConfig("financial-ml", "ml-team@example.com", List.of("ml-platform"), environments, null)));
    }

    private static RotationEvent<RotationRequested> request(String rotationId, String workflow) {
        return RotationEvent.forRotation(rotationId, EventType.REQUESTED, "/test", workflow, OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRequested(workflow, List.of(), List.of(), "ml-team@example.com", "test", null, null));
    }

    private static List<ConsumerRecord<String, byte[]>> committed(EmbeddedKafka kafka, String topic) {
        return new TopicScanner(clients(kafka.bootstrapServers())).readAll(topic, Duration.ofSeconds(10));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaClients clients(String bootstrapServers) {
        return new KafkaClients(KafkaConfig.defaults().withBootstrapServers(bootstrapServers));
    }
}

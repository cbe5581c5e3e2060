package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.embedded.CertificateUrlServer;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.TestCertificates;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.KeyChanged;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueSource;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./reseal approve-key} end to end on a real broker: a sealer whose certificate URL (a real HTTPS server)
 * starts serving another certificate holds it; a token for one workflow may not approve it; the infra token's
 * approval goes through the producer's API to Kafka, and the sealer then re-seals with the new certificate.
 */
class ApproveKeyIT {

    private static final String INFRA_TOKEN = "infra-token-" + UUID.randomUUID();
    private static final String TEAM_TOKEN = "team-token-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void aHeldCertificateIsApprovedThroughTheCliAndTheSealerResealsWithIt() throws Exception {
        SecureRandom random = new SecureRandom();
        Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        ControllerKeyPair first = ControllerKeyPair.generate("approve-key-it-1", 2048, notBefore, random);
        ControllerKeyPair second = ControllerKeyPair.generate("approve-key-it-2", 2048, notBefore, random);
        TestCertificates tls = TestCertificates.create(dir);
        try (EmbeddedKafka kafka = new EmbeddedKafka();
             CertificateUrlServer server = CertificateUrlServer.https(tls, first.certificatePem())) {
            kafka.start();
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();
            SealerConfig config = config(server.url("/cert.pem"), tls.caFile().toString());
            ProducerConfig api = new ProducerConfig(0, null, List.of(
                    new ApiToken("infra", ApiToken.sha256Hex(INFRA_TOKEN), List.of("*")),
                    new ApiToken("team", ApiToken.sha256Hex(TEAM_TOKEN), List.of("financial-ml"))), null, null);
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of());
                 SealerWorker sealer = SealerWorker.start(config, kafkaConfig, access, name -> null,
                         Clock.systemUTC(), new SimpleMeterRegistry());
                 RotationProducer producer = RotationProducer.start(api, kafkaConfig, config.workflows(), Clock.systemUTC());
                 Producer<String, byte[]> requests = new KafkaClients(kafkaConfig).producer(null, Map.of())) {
                requests.send(codec.toRecord(topics.of(EventType.REQUESTED), request())).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> read(kafka, topics, EventType.SEALED).size() == 1);

                // given: the URL serves another certificate, and the sealer holds it
                server.serve(second.certificatePem());
                String held = second.sealingCertificate().fingerprint();
                await().atMost(Duration.ofSeconds(30)).until(() -> read(kafka, topics, EventType.KEY_CHANGED).stream()
                        .map(e -> e.dataAs(KeyChanged.class))
                        .anyMatch(k -> k.state() == KeyChanged.State.HELD && k.fingerprint().equals(held)));
                String base = "http://localhost:" + producer.port();

                // when: a workflow's token tries to approve it
                CommandRun refused = CommandRun.of("approve-key", "dev-cluster", held, "--api", base, "--token", TEAM_TOKEN);

                // then: refused, and nothing was approved
                assertThat(refused.exitCode()).isNotZero();
                assertThat(refused.err()).contains("403").contains("workflows: [\"*\"]");
                assertThat(read(kafka, topics, EventType.KEY_APPROVED)).isEmpty();

                // when: the infra token approves it, in the form openssl prints
                String openssl = "SHA256:" + held.toUpperCase().replaceAll("(..)(?!$)", "$1:");
                CommandRun approved = CommandRun.of("approve-key", "dev-cluster", openssl, "--api", base, "--token", INFRA_TOKEN);

                // then: the sealer seals a key-renewal rotation with the new certificate
                assertThat(approved.exitCode()).as(approved.err()).isZero();
                assertThat(approved.out()).contains(held);
                await().atMost(Duration.ofSeconds(30)).until(() -> read(kafka, topics, EventType.SEALED).size() == 2);
            }
            RotationSealed renewal = read(kafka, topics, EventType.SEALED).get(1).dataAs(RotationSealed.class);
            assertThat(renewal.trigger()).isEqualTo(Trigger.KEY_RENEWAL);
            assertThat(renewal.environments().get(0).certificateFingerprint()).isEqualTo(second.sealingCertificate().fingerprint());
        }
    }

    private static List<RotationEvent<?>> read(EmbeddedKafka kafka, Topics topics, EventType type) {
        EventCodec codec = new EventCodec();
        KafkaClients clients = new KafkaClients(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()));
        return new TopicScanner(clients).readAll(topics.of(type), Duration.ofSeconds(10)).stream()
                .<RotationEvent<?>>map(record -> decode(codec, record)).toList();
    }

    private static RotationEvent<?> decode(EventCodec codec, ConsumerRecord<String, byte[]> record) {
        try {
            return codec.fromRecord(record);
        } catch (InvalidEventException e) {
            throw new AssertionError(e);
        }
    }

    private static SealerConfig config(String url, String caBundle) {
        List<ClusterConfig> clusters = List.of(new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromUrl(url, Duration.ofSeconds(1), null, caBundle, null)));
        return new SealerConfig(clusters,
                List.of(new BundleConfig("ml-platform", null, null, null, Map.of("endpoint", new ValueSource.Literal("https://x")))),
                List.of(new WorkflowConfig("financial-ml", "ml-team@example.com", List.of("ml-platform"),
                        Map.of("dev", new EnvironmentConfig("dev-cluster", null, null, null)), null)));
    }

    private static RotationEvent<RotationRequested> request() {
        return RotationEvent.forRotation("rotation-1", EventType.REQUESTED, "/test", "financial-ml", OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRequested("financial-ml", List.of(), List.of(), "ml-team@example.com", "test", null, null));
    }
}

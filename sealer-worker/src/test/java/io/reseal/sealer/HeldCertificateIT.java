package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.kube.TestCertificateServer;
import io.reseal.sealer.values.ValueSource;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A certificate URL without a pin that starts serving another certificate, on a real broker and a real HTTP
 * server: the sealer keeps sealing with the certificate it used before and asks for no key renewal.
 */
class HeldCertificateIT {

    private static final String KEY_0 = TestControllers.key(0).sealingCertificate().fingerprint();
    private static final String KEY_2 = TestControllers.key(2).sealingCertificate().fingerprint();

    @Test
    void aChangedCertificateIsHeldAndNothingIsResealed() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka();
             TestCertificateServer server = TestCertificateServer.http(TestControllers.key(0).certificatePem())) {
            kafka.start();
            SealerConfig config = config(server.url("/cert.pem"));
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of());
                 SealerWorker worker = SealerWorker.start(config, kafkaConfig, access, Map.<String, String>of()::get,
                         Clock.systemUTC(), new SimpleMeterRegistry());
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                // given: a rotation sealed with the URL's first certificate
                producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-1"))).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> sealed(kafka, topics).size() == 1);

                // when: the URL serves another certificate, and a rotation is requested after the next refresh
                server.serve(TestControllers.key(2).certificatePem());
                Thread.sleep(2_500); // two refresh intervals: the sealer has fetched the new certificate
                producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-2"))).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> sealed(kafka, topics).size() >= 2);
                Thread.sleep(2_000);
            }
            // then: sealed with the first certificate still, and no key-renewal rotation was asked for
            assertThat(sealed(kafka, topics)).extracting(s -> s.environments().get(0).certificateFingerprint())
                    .containsExactly(KEY_0, KEY_0);
            assertThat(new TopicScanner(clients(kafka)).readAll(topics.of(EventType.REQUESTED), Duration.ofSeconds(10)))
                    .extracting(r -> codec.fromRecord(r).rotationId()).containsExactly("rotation-1", "rotation-2");
        }
    }

    private static List<RotationSealed> sealed(EmbeddedKafka kafka, Topics topics) {
        EventCodec codec = new EventCodec();
        return new TopicScanner(clients(kafka)).readAll(topics.of(EventType.SEALED), Duration.ofSeconds(10)).stream()
                .map(record -> decode(codec, record).dataAs(RotationSealed.class)).toList();
    }

    private static RotationEvent<?> decode(EventCodec codec, ConsumerRecord<String, byte[]> record) {
        try {
            return codec.fromRecord(record);
        } catch (io.reseal.pipeline.event.InvalidEventException e) {
            throw new AssertionError(e);
        }
    }

    private static SealerConfig config(String url) {
        List<ClusterConfig> clusters = List.of(new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromUrl(url, Duration.ofSeconds(1))));
        return new SealerConfig(clusters,
                List.of(new BundleConfig("ml-platform", null, null, null, Map.of("endpoint", new ValueSource.Literal("https://x")))),
                List.of(new WorkflowConfig("financial-ml", "ml-team@example.com", List.of("ml-platform"),
                        Map.of("dev", new EnvironmentConfig("dev-cluster", null, null, null)), null)));
    }

    private static RotationEvent<RotationRequested> request(String rotationId) {
        return RotationEvent.forRotation(rotationId, EventType.REQUESTED, "/test", "financial-ml", OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRequested("financial-ml", List.of(), List.of(), "ml-team@example.com", "test", null, null));
    }

    private static KafkaClients clients(EmbeddedKafka kafka) {
        return new KafkaClients(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}

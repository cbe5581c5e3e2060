package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.TestCertificates;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.KeyApproved;
import io.reseal.pipeline.event.KeyChanged;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.kube.KeyApprovals;
import io.reseal.embedded.CertificateUrlServer;
import io.reseal.sealer.values.ValueSource;
import java.nio.file.Path;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate URL without a pin that starts serving another certificate, on a real broker and a real HTTPS
 * server: the sealer announces the change, keeps sealing with the certificate it used (also after a restart) and
 * asks for no key renewal; once the change is approved (the event the API publishes for
 * {@code ./reseal approve-key}), it seals with the new certificate and the key renewal runs.
 */
class HeldCertificateIT {

    private static final String KEY_0 = TestControllers.key(0).sealingCertificate().fingerprint();
    private static final String KEY_2 = TestControllers.key(2).sealingCertificate().fingerprint();

    @TempDir
    Path dir;

    @Test
    void aChangedCertificateIsHeldUntilApprovedAndThenRenewsTheKey() throws Exception {
        TestCertificates tls = TestCertificates.create(dir);
        try (EmbeddedKafka kafka = new EmbeddedKafka();
             CertificateUrlServer server = CertificateUrlServer.https(tls, TestControllers.key(0).certificatePem())) {
            kafka.start();
            SealerConfig config = config(server.url("/cert.pem"), tls.caFile().toString());
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of());
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                try (SealerWorker worker = start(config, kafkaConfig, access)) {
                    // given: a rotation sealed with the URL's first certificate, taken on first use and announced
                    producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-1"))).get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> sealed(kafka, topics).size() == 1);
                    assertThat(keyChanges(kafka, topics)).extracting(KeyChanged::state, KeyChanged::fingerprint)
                            .containsExactly(tuple(KeyChanged.State.FIRST_USE, KEY_0));

                    // when: the URL serves another certificate
                    server.serve(TestControllers.key(2).certificatePem());

                    // then: the change is announced, held, and the next rotation is sealed with the first certificate
                    await().atMost(Duration.ofSeconds(30)).until(() -> keyChanges(kafka, topics).size() == 2);
                    KeyChanged held = keyChanges(kafka, topics).get(1);
                    assertThat(held.state()).isEqualTo(KeyChanged.State.HELD);
                    assertThat(held.cluster()).isEqualTo("dev-cluster");
                    assertThat(held.previousFingerprint()).isEqualTo(KEY_0);
                    assertThat(held.fingerprint()).isEqualTo(KEY_2);
                    producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-2"))).get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> sealed(kafka, topics).size() == 2);
                }
                // and: a restarted sealer still holds it (announcing nothing twice) and seals with the first one
                SimpleMeterRegistry metrics = new SimpleMeterRegistry();
                try (SealerWorker worker = SealerWorker.start(config, kafkaConfig, access, Map.<String, String>of()::get,
                        Clock.systemUTC(), metrics)) {
                    producer.send(codec.toRecord(topics.of(EventType.REQUESTED), request("rotation-3"))).get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> sealed(kafka, topics).size() == 3);
                    assertThat(sealed(kafka, topics)).extracting(s -> s.environments().get(0).certificateFingerprint())
                            .containsExactly(KEY_0, KEY_0, KEY_0);
                    assertThat(keyChanges(kafka, topics)).hasSize(2);
                    assertThat(requested(kafka, topics)).containsExactly("rotation-1", "rotation-2", "rotation-3");
                    await().atMost(Duration.ofSeconds(30)).until(() -> metrics.find("reseal.sealer.certificate.held")
                            .tags("cluster", "dev-cluster", "fingerprint", KEY_2).gauge() != null);

                    // when: the producer's approval of the new certificate (what ./reseal approve-key has it publish)
                    producer.send(codec.toRecord(topics.of(EventType.KEY_APPROVED), approval())).get();

                    // then: one key-renewal rotation, sealed with the new certificate
                    await().atMost(Duration.ofSeconds(30)).until(() -> sealed(kafka, topics).size() == 4);
                    await().atMost(Duration.ofSeconds(30)).until(() -> metrics.find("reseal.sealer.certificate.held").gauge() == null);
                }
            }
            RotationSealed renewal = sealed(kafka, topics).get(3);
            assertThat(renewal.trigger()).isEqualTo(Trigger.KEY_RENEWAL);
            assertThat(renewal.environments()).extracting(e -> e.certificateFingerprint()).containsExactly(KEY_2);
            assertThat(requested(kafka, topics)).hasSize(4);
        }
    }

    private static SealerWorker start(SealerConfig config, KafkaConfig kafka, ClusterAccess access) {
        return SealerWorker.start(config, kafka, access, Map.<String, String>of()::get, Clock.systemUTC(),
                new SimpleMeterRegistry());
    }

    private static RotationEvent<KeyApproved> approval() {
        return new RotationEvent<>("approval-1", KeyApprovals.PRODUCER_SOURCE, EventType.KEY_APPROVED, "dev-cluster",
                OffsetDateTime.now(ZoneOffset.UTC), null, new KeyApproved("dev-cluster", KEY_2, "test"));
    }

    private static List<KeyChanged> keyChanges(EmbeddedKafka kafka, Topics topics) {
        EventCodec codec = new EventCodec();
        return new TopicScanner(clients(kafka)).readAll(topics.of(EventType.KEY_CHANGED), Duration.ofSeconds(10)).stream()
                .map(record -> decode(codec, record).dataAs(KeyChanged.class)).toList();
    }

    private static List<String> requested(EmbeddedKafka kafka, Topics topics) {
        EventCodec codec = new EventCodec();
        return new TopicScanner(clients(kafka)).readAll(topics.of(EventType.REQUESTED), Duration.ofSeconds(10)).stream()
                .map(record -> decode(codec, record).rotationId()).toList();
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

    private static SealerConfig config(String url, String caBundle) {
        List<ClusterConfig> clusters = List.of(new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromUrl(url, Duration.ofSeconds(1), null, caBundle, null)));
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

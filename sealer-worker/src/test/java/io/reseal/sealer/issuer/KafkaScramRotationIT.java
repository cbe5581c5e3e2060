package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.embedded.BrokerSecurity;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.TestLog;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.issuer.KafkaScramIssuerIT.Access;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code kafka-scram} issuer in a running sealer, on a broker with a SCRAM listener and ACLs that is also the
 * pipeline's: no {@code kafka-scram.admin}, so the sealer's own connection administers. The SCRAM user unsealed
 * from the package logs in and reads what the template principal may read; after a second rotation both users do
 * until finish, then only the new one; no password is on any topic or in the log.
 */
class KafkaScramRotationIT {

    private static final String SEALER_PASSWORD = "sealer-" + UUID.randomUUID();
    private static final String TOPIC = "orders";

    @TempDir
    Path dir;

    @Test
    void rotatesAScramUserInTwoPhasesThroughTheSealersOwnConnection() throws Exception {
        TestLog log = TestLog.mark();
        try (EmbeddedKafka kafka = new EmbeddedKafka(BrokerSecurity.saslScram(Map.of("reseal-sealer", SEALER_PASSWORD),
                "reseal-sealer"))) {
            // given: a template principal that may read one topic
            kafka.start();
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5),
                    KafkaScramIssuerIT.security("reseal-sealer", SEALER_PASSWORD), null, null, null);
            KafkaClients sealer = new KafkaClients(kafkaConfig);
            try (Admin admin = sealer.admin(Map.of()); Producer<String, byte[]> producer = sealer.producer(null, Map.of())) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>(TOPIC, "k", TOPIC.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
                admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                        new AccessControlEntry("User:orders-app", "*", AclOperation.READ, AclPermissionType.ALLOW))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            Topics topics = kafkaConfig.topicNames();
            List<Map<String, String>> delivered = new ArrayList<>();
            SealerConfig config = config();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of());
                 SealerWorker worker = SealerWorker.start(config, kafkaConfig, access, Map.<String, String>of()::get,
                         Clock.systemUTC(), new SimpleMeterRegistry());
                 Producer<String, byte[]> producer = sealer.producer(null, Map.of())) {
                IssuedRotationIT.Rotations rotations = new IssuedRotationIT.Rotations(sealer, topics, new EventCodec(), producer);

                // when: the first rotation, finished at once
                Map<String, String> first = OneClusterConfig.unseal(rotations.rotate("r1"));
                delivered.add(first);
                rotations.finish("r1");

                // then: the delivered user reads the template's topic
                assertThat(rotations.sealed("r1").issuers())
                        .containsExactly(new IssuedVersions("orders-kafka", "alternating-users", null, "orders-app-a"));
                assertThat(first).containsEntry("KAFKA_USERNAME", "orders-app-a");
                awaitAccess(kafka, first, Access.READS);

                // when: a second rotation
                Map<String, String> second = OneClusterConfig.unseal(rotations.rotate("r2"));
                delivered.add(second);

                // then: both users log in until finish
                assertThat(second).containsEntry("KAFKA_USERNAME", "orders-app-b");
                awaitAccess(kafka, second, Access.READS);
                assertThat(access(kafka, first)).isEqualTo(Access.READS);

                // when: finish
                RotationFinished finished = rotations.finish("r2");

                // then: only the new user does
                assertThat(finished.issuers()).singleElement().satisfies(r -> assertThat(r.revoked()).isEqualTo("orders-app-a"));
                awaitAccess(kafka, first, Access.LOGIN_REFUSED);
                assertThat(access(kafka, second)).isEqualTo(Access.READS);
                assertThat(worker.isRunning()).isTrue();
            }

            // then: neither the sealer's password nor an issued one is on any topic or in this run's log lines
            List<String> plaintexts = new ArrayList<>(List.of(SEALER_PASSWORD));
            delivered.forEach(values -> plaintexts.add(values.get("KAFKA_PASSWORD")));
            List<String> written = new ArrayList<>();
            for (String topic : topics.all().values()) {
                for (ConsumerRecord<String, byte[]> record : IssuedRotationIT.committed(sealer, topic)) {
                    written.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
            String logText = log.sinceMark();
            assertThat(logText).contains("issuer orders-kafka made and tested orders-app-b");
            for (int i = 0; i < plaintexts.size(); i++) {
                for (String form : List.of(plaintexts.get(i),
                        Base64.getEncoder().encodeToString(plaintexts.get(i).getBytes(StandardCharsets.UTF_8)))) {
                    assertThat(written.stream().anyMatch(text -> text.contains(form)))
                            .withFailMessage("a Kafka record holds plaintext #%d", i).isFalse();
                    assertThat(logText.contains(form)).withFailMessage("the test log holds plaintext #%d", i).isFalse();
                }
            }
        }
    }

    private static void awaitAccess(EmbeddedKafka kafka, Map<String, String> values, Access expected) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(access(kafka, values)).isEqualTo(expected));
    }

    private static Access access(EmbeddedKafka kafka, Map<String, String> values) {
        return KafkaScramIssuerIT.access(kafka.bootstrapServers(), values.get("KAFKA_USERNAME"), values.get("KAFKA_PASSWORD"), TOPIC);
    }

    private SealerConfig config() throws Exception {
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("KAFKA_USERNAME", new ValueSource.Issued(new ValueSource.IssuedRef("orders-kafka", "username")));
        keys.put("KAFKA_PASSWORD", new ValueSource.Issued(new ValueSource.IssuedRef("orders-kafka", "password")));
        return OneClusterConfig.of(dir, new KafkaScramIssuerConfig("orders-kafka",
                new KafkaScramIssuerConfig.Settings(null, null, null, "orders-app", null, null, null), null), keys);
    }

}

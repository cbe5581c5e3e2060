package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.EmbeddedPostgresServer;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.TestLog;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
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
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation at the source, through Kafka, on a real PostgreSQL: the sealed credential logs in with the role's
 * privileges; after a second rotation both logins work until finish, then only the new one; a rotation while one is
 * unfinished is refused; a pending credential that fails its test is discarded and nothing is sealed; and neither
 * the admin password nor any issued password is on any topic or in the log.
 */
class IssuedRotationIT {

    private static final String ADMIN_PASSWORD = "pg-admin-" + UUID.randomUUID();

    @TempDir
    Path dir;

    @Test
    void rotatesAPostgresLoginInTwoPhasesAndLeaksNoPassword() throws Exception {
        TestLog log = TestLog.mark();
        try (EmbeddedKafka kafka = new EmbeddedKafka();
             EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
            // given
            kafka.start();
            postgres.execute("CREATE ROLE reseal_admin LOGIN CREATEROLE", "CREATE ROLE mlflow_app NOLOGIN",
                    "GRANT mlflow_app TO reseal_admin WITH ADMIN OPTION", "CREATE TABLE models (name text)",
                    "INSERT INTO models VALUES ('churn')", "GRANT SELECT ON models TO mlflow_app");
            postgres.setPassword("reseal_admin", ADMIN_PASSWORD.toCharArray());
            SealerConfig config = config(postgres.jdbcUrl(), null);
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            Topics topics = kafkaConfig.topicNames();
            EventCodec codec = new EventCodec();
            List<Map<String, String>> delivered = new ArrayList<>();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of());
                 SealerWorker worker = SealerWorker.start(config, kafkaConfig, access,
                         Map.of("MLFLOW_DB_ADMIN_PASSWORD", ADMIN_PASSWORD)::get, Clock.systemUTC(), new SimpleMeterRegistry());
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                Rotations rotations = new Rotations(plain(kafka), topics, codec, producer);

                // when: the first rotation, finished at once
                Map<String, String> first = OneClusterConfig.unseal(rotations.rotate("r1"));
                delivered.add(first);
                assertThat(rotations.sealed("r1").issuers())
                        .containsExactly(new IssuedVersions("mlflow-db", "alternating-users", null, "mlflow_app_a"));
                RotationFinished finished1 = rotations.finish("r1");

                // then
                assertThat(first).containsEntry("MLFLOW_DB_USERNAME", "mlflow_app_a").containsEntry("MLFLOW_DB_URL", postgres.jdbcUrl());
                assertThat(readsModels(postgres, first)).isTrue();
                assertThat(finished1.issuers()).singleElement().satisfies(r -> assertThat(r.revoked()).isNull());

                // when: a second rotation
                Map<String, String> second = OneClusterConfig.unseal(rotations.rotate("r2"));
                delivered.add(second);

                // then: both log in until finish
                assertThat(rotations.sealed("r2").issuers())
                        .containsExactly(new IssuedVersions("mlflow-db", "alternating-users", "mlflow_app_a", "mlflow_app_b"));
                assertThat(readsModels(postgres, first)).isTrue();
                assertThat(readsModels(postgres, second)).isTrue();

                // when: a third rotation before the second is finished
                RotationFailed refused = rotations.failed("r3");

                // then: refused, saying why, and both logins still work
                assertThat(refused.errorCode()).isEqualTo("rotation-unfinished");
                assertThat(refused.message()).contains("rotation r2 is not finished", "./reseal finish r2");
                assertThat(readsModels(postgres, first)).isTrue();

                // when: the second is finished
                RotationFinished finished2 = rotations.finish("r2");

                // then: only the new login works
                assertThat(finished2.issuers()).singleElement().satisfies(r -> {
                    assertThat(r.revoked()).isEqualTo("mlflow_app_a");
                    assertThat(r.current()).isEqualTo("mlflow_app_b");
                    assertThat(r.revokedAt()).isNotNull();
                });
                assertThat(logsIn(postgres, first)).isFalse();
                assertThat(readsModels(postgres, second)).isTrue();

                // when: a rotation whose pending login cannot log in (the DBA capped it at zero connections)
                postgres.execute("ALTER ROLE mlflow_app_a CONNECTION LIMIT 0");
                RotationFailed failedTest = rotations.failed("r4");

                // then: nothing sealed, the pending login removed, the current one untouched
                assertThat(failedTest.errorCode()).isEqualTo("issuer-test-failed");
                assertThat(failedTest.message()).contains("issuer mlflow-db", "mlflow_app_a");
                assertThat(rotations.sealedIds()).containsExactly("r1", "r2");
                assertThat(readsModels(postgres, second)).isTrue();
                postgres.execute("ALTER ROLE mlflow_app_a CONNECTION LIMIT -1");
                assertThat(logsIn(postgres, Map.of("MLFLOW_DB_USERNAME", "mlflow_app_a", "MLFLOW_DB_PASSWORD", "x"))).isFalse();
                assertThat(worker.isRunning()).isTrue();
            }

            // then: no admin or issued password on any topic or in this run's log lines
            List<String> forms = new ArrayList<>();
            List<String> plaintexts = new ArrayList<>(List.of(ADMIN_PASSWORD));
            delivered.forEach(values -> plaintexts.add(values.get("MLFLOW_DB_PASSWORD")));
            for (String plaintext : plaintexts) {
                forms.add(plaintext);
                forms.add(Base64.getEncoder().encodeToString(plaintext.getBytes(StandardCharsets.UTF_8)));
            }
            List<String> written = new ArrayList<>();
            for (String topic : topics.all().values()) {
                for (ConsumerRecord<String, byte[]> record : committed(plain(kafka), topic)) {
                    written.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
            String logText = log.sinceMark();
            String serverLog = Files.readString(postgres.serverLog());
            assertThat(logText).contains("issuer mlflow-db made and tested mlflow_app_b");
            for (int i = 0; i < forms.size(); i++) {
                String form = forms.get(i);
                assertThat(written.stream().anyMatch(text -> text.contains(form)))
                        .withFailMessage("a Kafka record holds plaintext form #%d", i).isFalse();
                assertThat(logText.contains(form)).withFailMessage("the test log holds plaintext form #%d", i).isFalse();
                assertThat(serverLog.contains(form)).withFailMessage("the PostgreSQL log holds plaintext form #%d", i).isFalse();
            }
        }
    }

    /** Requests rotations and finishes through Kafka and waits for their outcome (also used by KafkaScramRotationIT). */
    record Rotations(KafkaClients clients, Topics topics, EventCodec codec, Producer<String, byte[]> producer) {

        RotationSealed rotate(String rotationId) throws Exception {
            request(rotationId);
            await().atMost(Duration.ofSeconds(60)).until(() -> sealedIds().contains(rotationId));
            return sealed(rotationId);
        }

        RotationFailed failed(String rotationId) throws Exception {
            request(rotationId);
            await().atMost(Duration.ofSeconds(60)).until(() -> failure(rotationId) != null);
            return failure(rotationId);
        }

        RotationFinished finish(String rotationId) throws Exception {
            producer.send(codec.toRecord(topics.of(EventType.FINISHING), RotationEvent.forRotation(rotationId, EventType.FINISHING,
                    "/test", "financial-ml", OffsetDateTime.now(ZoneOffset.UTC),
                    new RotationFinishing(rotationId, "financial-ml", "test")))).get();
            await().atMost(Duration.ofSeconds(60)).until(() -> events(EventType.FINISHED).stream()
                    .anyMatch(e -> e.rotationId().equals(rotationId)));
            return events(EventType.FINISHED).stream().filter(e -> e.rotationId().equals(rotationId)).findFirst()
                    .orElseThrow().dataAs(RotationFinished.class);
        }

        private void request(String rotationId) throws Exception {
            producer.send(codec.toRecord(topics.of(EventType.REQUESTED), RotationEvent.forRotation(rotationId, EventType.REQUESTED,
                    "/test", "financial-ml", OffsetDateTime.now(ZoneOffset.UTC),
                    new RotationRequested("financial-ml", List.of(), List.of(), "ml-team@example.com", "test", null, null)))).get();
        }

        RotationSealed sealed(String rotationId) {
            return events(EventType.SEALED).stream().filter(e -> e.rotationId().equals(rotationId)).findFirst()
                    .orElseThrow().dataAs(RotationSealed.class);
        }

        List<String> sealedIds() {
            return events(EventType.SEALED).stream().map(RotationEvent::rotationId).toList();
        }

        private RotationFailed failure(String rotationId) {
            return events(EventType.FAILED).stream().map(e -> e.dataAs(RotationFailed.class))
                    .filter(f -> rotationId.equals(f.rotationId())).findFirst().orElse(null);
        }

        List<RotationEvent<?>> events(EventType type) {
            List<RotationEvent<?>> events = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : committed(clients, topics.of(type))) {
                try {
                    events.add(codec.fromRecord(record));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
            return events;
        }
    }

    @Test
    void revokePreviousFinishesARotationByItselfAfterItsDuration() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka(); EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
            // given: an issuer that revokes the previous login two seconds after a rotation was sealed
            kafka.start();
            postgres.execute("CREATE ROLE reseal_admin LOGIN CREATEROLE", "CREATE ROLE mlflow_app NOLOGIN",
                    "GRANT mlflow_app TO reseal_admin WITH ADMIN OPTION");
            postgres.setPassword("reseal_admin", ADMIN_PASSWORD.toCharArray());
            SealerConfig config = config(postgres.jdbcUrl(), new RevokePrevious(Duration.ofSeconds(2)));
            KafkaConfig kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
            EventCodec codec = new EventCodec();
            try (ClusterAccess access = new ClusterAccess(config.clusters(), Map.of());
                 SealerWorker worker = SealerWorker.start(config, kafkaConfig, access,
                         Map.of("MLFLOW_DB_ADMIN_PASSWORD", ADMIN_PASSWORD)::get, Clock.systemUTC(), new SimpleMeterRegistry());
                 KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
                Rotations rotations = new Rotations(plain(kafka), kafkaConfig.topicNames(), codec, producer);
                Map<String, String> first = OneClusterConfig.unseal(rotations.rotate("r1"));

                // when: a second rotation, and nobody asks for finish
                Map<String, String> second = OneClusterConfig.unseal(rotations.rotate("r2"));

                // then: the sealer finishes it by itself; only the new login works
                await().atMost(Duration.ofSeconds(60)).until(() -> rotations.events(EventType.FINISHED).stream()
                        .anyMatch(e -> e.rotationId().equals("r2")));
                assertThat(logsIn(postgres, first)).isFalse();
                assertThat(logsIn(postgres, second)).isTrue();
                assertThat(rotations.events(EventType.FINISHED).stream().map(e -> e.dataAs(RotationFinished.class))
                        .filter(f -> f.rotationId().equals("r2")).findFirst().orElseThrow().issuers())
                        .singleElement().satisfies(r -> assertThat(r.revoked()).isEqualTo("mlflow_app_a"));
            }
        }
    }

    private SealerConfig config(String jdbcUrl, RevokePrevious revokePrevious) throws Exception {
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("MLFLOW_DB_URL", new ValueSource.Literal(jdbcUrl));
        keys.put("MLFLOW_DB_USERNAME", new ValueSource.Issued(new ValueSource.IssuedRef("mlflow-db", "username")));
        keys.put("MLFLOW_DB_PASSWORD", new ValueSource.Issued(new ValueSource.IssuedRef("mlflow-db", "password")));
        return OneClusterConfig.of(dir, new PostgresIssuerConfig("mlflow-db", new PostgresIssuerConfig.Settings(jdbcUrl,
                new AdminLogin(new ValueSource.Literal("reseal_admin"), new ValueSource.Env("MLFLOW_DB_ADMIN_PASSWORD")),
                "mlflow_app", null), revokePrevious), keys);
    }

    private static boolean logsIn(EmbeddedPostgresServer postgres, Map<String, String> values) {
        try (Connection ignored = connect(postgres, values)) {
            return true;
        } catch (SQLException e) {
            assertThat(e.getSQLState()).as(e.getMessage()).isIn("28P01", "28000");
            return false;
        }
    }

    private static boolean readsModels(EmbeddedPostgresServer postgres, Map<String, String> values) throws SQLException {
        try (Connection login = connect(postgres, values); Statement sql = login.createStatement();
             var result = sql.executeQuery("SELECT name FROM models")) {
            return result.next() && result.getString(1).equals("churn");
        }
    }

    private static Connection connect(EmbeddedPostgresServer postgres, Map<String, String> values) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", values.get("MLFLOW_DB_USERNAME"));
        props.setProperty("password", values.get("MLFLOW_DB_PASSWORD"));
        return DriverManager.getConnection(postgres.jdbcUrl(), props);
    }

    static List<ConsumerRecord<String, byte[]>> committed(KafkaClients clients, String topic) {
        return new TopicScanner(clients).readAll(topic, Duration.ofSeconds(10));
    }

    private static KafkaClients plain(EmbeddedKafka kafka) {
        return new KafkaClients(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()));
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}

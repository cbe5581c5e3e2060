package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.AdoptionEvents;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicBootstrap;
import io.reseal.pipeline.stage.Topics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link IssuerHistory#fromKafka} and {@link AdoptionReports#fromKafka} keep one consumer open and fold in only
 * what is new at each read, on a real broker: a read sees every record committed before it (also right before it,
 * also on another partition), never one of an open or aborted transaction, and what it folded equals what a fresh
 * reader of the whole topics makes of them.
 */
class IssuerHistoryIT {

    private static final EventCodec CODEC = new EventCodec();
    private static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    private final EmbeddedKafka kafka = new EmbeddedKafka();
    private final Topics topics = KafkaConfig.defaults().topicNames();

    @BeforeEach
    void startKafka() {
        kafka.start();
    }

    @AfterEach
    void stopKafka() {
        kafka.close();
    }

    private KafkaClients clients;

    /** Clients of the broker, whose topics have three partitions. */
    private KafkaClients clients() {
        clients = new KafkaClients(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()));
        TopicBootstrap.ensure(clients, topics, 3, (short) 1);
        return clients;
    }

    @Test
    void eachReadSeesWhatWasCommittedJustBeforeIt() {
        KafkaClients clients = clients();
        try (IssuerHistory history = IssuerHistory.fromKafka(clients, topics);
             Producer<String, byte[]> producer = clients.producer("issuer-history-it", Map.of())) {
            producer.initTransactions();
            assertThat(history.read().sealed()).isEmpty();
            String previous = null;
            for (int i = 1; i <= 20; i++) {
                String id = "r" + i;
                // when a rotation of the issuer is sealed (and one without issued values with it)
                commit(producer, sealed(id, previous), null, null);
                commit(producer, sealedWithoutIssuers("plain-" + i), null, null);

                // then the very next read has it as the issuer's last, waiting for finish
                IssuerHistory.Last last = history.read().lastOf("db").orElseThrow();
                assertThat(last.rotationId()).isEqualTo(id);
                assertThat(last.waitingForFinish()).isEqualTo(previous != null);

                // when it is finished, then the very next read knows
                commit(producer, finished(id), null, null);
                assertThat(history.read().lastOf("db").orElseThrow().finished()).isTrue();
                previous = last.versions().pending();
            }

            try (IssuerHistory fresh = IssuerHistory.fromKafka(clients, topics)) {
                assertThat(fresh.read()).isEqualTo(history.read());
            }
            assertThat(history.read().sealed()).hasSize(20);
            assertThat(history.read().finished()).hasSize(20);
        }
    }

    @Test
    void anOpenTransactionIsNotSeenUntilCommittedAndAnAbortedOneNever() {
        KafkaClients clients = clients();
        try (IssuerHistory history = IssuerHistory.fromKafka(clients, topics);
             Producer<String, byte[]> producer = clients.producer("issuer-history-it", Map.of())) {
            producer.initTransactions();
            commit(producer, sealed("r1", null), null, null);
            assertThat(history.read().lastOf("db").orElseThrow().rotationId()).isEqualTo("r1");

            // an open transaction
            producer.beginTransaction();
            Future<RecordMetadata> r2 = producer.send(record(sealed("r2", "db_b"), null, null));
            producer.flush();
            assertThat(history.read().lastOf("db").orElseThrow().rotationId()).isEqualTo("r1");
            producer.commitTransaction();
            awaitStable(r2);
            assertThat(history.read().lastOf("db").orElseThrow().rotationId()).isEqualTo("r2");

            // an aborted one
            producer.beginTransaction();
            producer.send(record(sealed("r3", "db_a"), null, null));
            producer.flush();
            producer.abortTransaction();
            assertThat(history.read().lastOf("db").orElseThrow().rotationId()).isEqualTo("r2");
            commit(producer, sealed("r4", "db_a"), null, null);
            assertThat(history.read().lastOf("db").orElseThrow().rotationId()).isEqualTo("r4");
            assertThat(history.read().sealed("r3")).isEmpty();
        }
    }

    @Test
    void sealedRotationsAreInTheOrderKafkaTookThemWhateverTheOrderTheyAreRead() {
        KafkaClients clients = clients();
        try (IssuerHistory history = IssuerHistory.fromKafka(clients, topics);
             Producer<String, byte[]> producer = clients.producer("issuer-history-it", Map.of())) {
            producer.initTransactions();
            // given the later one is read first (partition 0), the earlier one next (partition 1)
            commit(producer, sealed("late", "db_b"), 0, T.plusSeconds(10));
            assertThat(history.read().lastOf("db").orElseThrow().rotationId()).isEqualTo("late");
            commit(producer, sealed("early", null), 1, T);

            // then the last is still the later one, and the order is that of a fresh read
            IssuerHistory.Snapshot snapshot = history.read();
            assertThat(snapshot.lastOf("db").orElseThrow().rotationId()).isEqualTo("late");
            assertThat(snapshot.sealed()).extracting(s -> s.rotation().rotationId()).containsExactly("early", "late");
            try (IssuerHistory fresh = IssuerHistory.fromKafka(clients, topics)) {
                assertThat(fresh.read()).isEqualTo(snapshot);
            }
        }
    }

    @Test
    void adoptionReportsFoldInWhatIsNewAndLeaveEarlierSnapshotsAsTheyWere() {
        KafkaClients clients = clients();
        AdoptionReports.Ref ref = new AdoptionReports.Ref("r1", "prod-eu", "ml");
        try (AdoptionReports reports = AdoptionReports.fromKafka(clients, topics);
             Producer<String, byte[]> producer = clients.producer("issuer-history-it", Map.of())) {
            producer.initTransactions();
            commit(producer, adopted(AdoptionState.UNSEALED), null, null);
            AdoptionReports.Snapshot first = reports.read();
            assertThat(first.current(ref)).isEqualTo(AdoptionState.UNSEALED);

            commit(producer, adopted(AdoptionState.ROLLED_OUT), null, null);
            AdoptionReports.Snapshot second = reports.read();

            assertThat(second.reached(ref, AdoptionState.ROLLED_OUT)).isTrue();
            assertThat(first.reached(ref, AdoptionState.ROLLED_OUT)).isFalse();
            try (AdoptionReports fresh = AdoptionReports.fromKafka(clients, topics)) {
                assertThat(fresh.read()).isEqualTo(second);
            }
        }
    }

    /**
     * Commits {@code event} in a transaction of its own and returns once it is committed as Kafka tells it to a
     * reader: once the partition's last stable offset is past it (the transaction's markers are written shortly
     * after {@code commitTransaction} returns).
     */
    private void commit(Producer<String, byte[]> producer, RotationEvent<?> event, Integer partition, Instant at) {
        producer.beginTransaction();
        Future<RecordMetadata> sent = producer.send(record(event, partition, at));
        producer.commitTransaction();
        awaitStable(sent);
    }

    private void awaitStable(Future<RecordMetadata> sent) {
        try (Admin admin = clients.admin(Map.of())) {
            RecordMetadata metadata = sent.get(10, TimeUnit.SECONDS);
            TopicPartition where = new TopicPartition(metadata.topic(), metadata.partition());
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.listOffsets(Map.of(where, OffsetSpec.latest()),
                            new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).partitionResult(where)
                    .get(10, TimeUnit.SECONDS).offset() > metadata.offset());
        } catch (Exception e) {
            throw new IllegalStateException("waiting for a commit to be stable: " + e, e);
        }
    }

    private ProducerRecord<String, byte[]> record(RotationEvent<?> event, Integer partition, Instant at) {
        ProducerRecord<String, byte[]> record = CODEC.toRecord(topics.of(event.type()), event);
        return new ProducerRecord<>(record.topic(), partition, at == null ? null : at.toEpochMilli(), record.key(),
                record.value(), record.headers());
    }

    private static RotationEvent<?> sealed(String id, String current) {
        return RotationEvent.forRotation(id, EventType.SEALED, "/test", "financial-ml", time(), new RotationSealed(id,
                "financial-ml", "team@example.com", Trigger.AD_HOC, null, T, List.of(),
                List.of(new IssuedVersions("db", "alternating-users", current, "db_a".equals(current) ? "db_b" : "db_a"))));
    }

    private static RotationEvent<?> sealedWithoutIssuers(String id) {
        return RotationEvent.forRotation(id, EventType.SEALED, "/test", "financial-ml", time(), new RotationSealed(id,
                "financial-ml", "team@example.com", Trigger.AD_HOC, null, T, List.of()));
    }

    private static RotationEvent<?> finished(String id) {
        return RotationEvent.forRotation(id, EventType.FINISHED, "/test", "financial-ml", time(),
                new RotationFinished(id, "financial-ml", List.of(new RotationFinished.Revocation("db", "x", null, T))));
    }

    private static RotationEvent<?> adopted(AdoptionState state) {
        RotationAdopted adopted = new RotationAdopted("r1", "financial-ml", "production", "ml", "prod-eu", state, T, null);
        return new RotationEvent<>(adopted.eventId(), URI.create(AdoptionEvents.SOURCE), EventType.ADOPTED,
                "financial-ml", time(), "r1", adopted);
    }

    private static OffsetDateTime time() {
        return OffsetDateTime.ofInstant(T, ZoneOffset.UTC);
    }
}

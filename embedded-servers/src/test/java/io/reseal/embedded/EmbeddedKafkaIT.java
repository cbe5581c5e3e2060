package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaIT {

    @TempDir
    static Path dataDir;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = new EmbeddedKafka(dataDir, 0);
        kafka.start();
    }

    @AfterAll
    static void closeBroker() {
        kafka.close();
    }

    @Test
    void producedRecordIsConsumed() throws Exception {
        String topic = createTopic();

        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, "financial-ml", "hello")).get();
        }

        assertThat(consumeAll(topic, "read_uncommitted")).containsExactly("hello");
    }

    @Test
    void readCommittedSeesOnlyCommittedTransactions() throws Exception {
        String topic = createTopic();

        try (KafkaProducer<String, String> producer = producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + topic))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "aborted")).get(); // written to the log, then aborted
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "committed"));
            producer.commitTransaction();
        }

        assertThat(consumeAll(topic, "read_committed")).containsExactly("committed");
        assertThat(consumeAll(topic, "read_uncommitted")).containsExactly("aborted", "committed");
    }

    @Test
    void committedRecordSurvivesRestartOnSamePort() throws Exception {
        String topic = createTopic();
        String address = kafka.bootstrapServers();
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>(topic, "k", "durable")).get();
        }

        kafka.stop();
        kafka.start();

        assertThat(kafka.bootstrapServers()).isEqualTo(address);
        assertThat(consumeAll(topic, "read_committed")).containsExactly("durable");
    }

    private static String createTopic() throws Exception {
        String topic = "test-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return topic;
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Reads the topic from the beginning until the end offsets seen at the start, in order. */
    static List<String> consumeAll(String bootstrapServers, String topic, String isolationLevel) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID()),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
                if (!consumer.assignment().isEmpty()
                        && consumer.assignment().stream().allMatch(tp -> consumer.position(tp)
                                >= consumer.endOffsets(List.of(tp)).get(tp))) {
                    return values;
                }
            }
            throw new AssertionError("did not reach the end of " + topic + " in time; read " + values);
        }
    }

    private static List<String> consumeAll(String topic, String isolationLevel) {
        return consumeAll(kafka.bootstrapServers(), topic, isolationLevel);
    }
}

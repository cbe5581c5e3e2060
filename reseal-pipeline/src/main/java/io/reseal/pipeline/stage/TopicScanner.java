package io.reseal.pipeline.stage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import io.reseal.pipeline.kafka.KafkaClients;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the committed records of a topic, every partition, from the beginning up to the end offsets
 * as they were when the scan began. No consumer group, no commits: a read-only look at history.
 * Each call opens and closes its own consumer; thread-safe.
 */
public final class TopicScanner {

    private final KafkaClients clients;

    public TopicScanner(KafkaClients clients) {
        this.clients = clients;
    }

    /** Every committed record of {@code topic}, partition by partition, in offset order. */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic, Duration timeout) {
        return read(topic, new HashMap<>(), timeout);
    }

    /** Reads {@code topic} in steps: each {@link Tail#next} returns the records committed since the previous one. */
    public Tail tail(String topic) {
        return new Tail(topic);
    }

    /** See {@link #tail}. Not thread-safe: one caller at a time. */
    public final class Tail {
        private final String topic;
        private final Map<TopicPartition, Long> positions = new HashMap<>();

        private Tail(String topic) {
            this.topic = topic;
        }

        /** The committed records of every partition after those the previous call returned, in offset order. */
        public List<ConsumerRecord<String, byte[]>> next(Duration timeout) {
            return read(topic, positions, timeout);
        }
    }

    /** Reads from {@code positions} (the beginning of a partition not in it) to the end, and moves them there. */
    private List<ConsumerRecord<String, byte[]>> read(String topic, Map<TopicPartition, Long> positions, Duration timeout) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Instant deadline = Instant.now().plus(timeout);
        try (Consumer<String, byte[]> consumer = clients.consumer(null, props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            positions.forEach((partition, offset) -> {
                if (partitions.contains(partition)) consumer.seek(partition, offset);
            });
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("reading " + topic + " took longer than " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            partitions.forEach(p -> positions.put(p, consumer.position(p, timeout)));
            return records;
        }
    }
}

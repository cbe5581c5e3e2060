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
 * {@link #readAll} and {@link #tail} open and close a consumer on each call; {@link #follow} keeps one open.
 * Thread-safe.
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

    /**
     * Reads {@code topics} in steps through one consumer that stays open until {@link Follower#close}: for a
     * caller that asks often, where opening a consumer each time would cost more than the reading.
     */
    public Follower follow(List<String> topics) {
        return new Follower(topics);
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

    /** See {@link #follow}. Not thread-safe: one caller at a time. */
    public final class Follower implements AutoCloseable {
        private final List<String> topics;
        private Consumer<String, byte[]> consumer;

        private Follower(List<String> topics) {
            this.topics = List.copyOf(topics);
        }

        /**
         * The committed records of every partition of the topics after those the previous call returned, in offset
         * order per partition, up to the end offsets as they are at this call (a partition added since is read from
         * its beginning).
         */
        public List<ConsumerRecord<String, byte[]>> next(Duration timeout) {
            if (consumer == null) consumer = clients.consumer(null, SETTINGS);
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) partitions.addAll(partitionsOf(consumer, topic, timeout));
            if (!consumer.assignment().containsAll(partitions)) {
                List<TopicPartition> added = partitions.stream().filter(p -> !consumer.assignment().contains(p)).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(added);
            }
            return readToEnd(consumer, partitions, String.join(", ", topics), timeout);
        }

        @Override
        public void close() {
            if (consumer != null) consumer.close(Duration.ofSeconds(5));
        }
    }

    private static final Map<String, Object> SETTINGS = Map.of(
            ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");

    /** Reads from {@code positions} (the beginning of a partition not in it) to the end, and moves them there. */
    private List<ConsumerRecord<String, byte[]>> read(String topic, Map<TopicPartition, Long> positions, Duration timeout) {
        try (Consumer<String, byte[]> consumer = clients.consumer(null, SETTINGS)) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic, timeout);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            positions.forEach((partition, offset) -> {
                if (partitions.contains(partition)) consumer.seek(partition, offset);
            });
            List<ConsumerRecord<String, byte[]>> records = readToEnd(consumer, partitions, topic, timeout);
            partitions.forEach(p -> positions.put(p, consumer.position(p, timeout)));
            return records;
        }
    }

    private static List<TopicPartition> partitionsOf(Consumer<String, byte[]> consumer, String topic, Duration timeout) {
        return consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
    }

    /** Polls the assigned {@code partitions} from their positions up to their end offsets as they are now. */
    private static List<ConsumerRecord<String, byte[]>> readToEnd(Consumer<String, byte[]> consumer,
                                                                  List<TopicPartition> partitions, String what,
                                                                  Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("reading " + what + " took longer than " + timeout);
            }
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }
}

package io.reseal.pipeline.stage;

import io.reseal.pipeline.kafka.KafkaClients;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The one place that builds the Kafka clients a {@link StageWorker} runs on: a {@code read_committed} consumer in
 * the stage's group without auto-commit, and a transactional, idempotent producer with a transactional id of its
 * own. Every client property of the stage loop is here; the connection and security settings (and any pass-through
 * property) come from {@link KafkaClients}. The shipped ACLs rely on the group {@code reseal-<stage>} and on
 * transactional ids prefixed with it.
 */
public final class StageClients {

    private StageClients() {}

    /**
     * The consumer of a stage's input topic, in consumer group {@code groupId}; a poll returns at most
     * {@code maxPollRecords} (the batch size, see {@link Batching}).
     */
    public static Consumer<String, byte[]> consumer(KafkaClients clients, String groupId, int maxPollRecords) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        // A replica that crashed holds its partitions until the group notices; 10 s, not the default 45 s.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, groupId + "-" + UUID.randomUUID().toString().substring(0, 8));
        return clients.consumer(groupId, props);
    }

    /** The transactional producer of a stage's outputs; {@code groupId} prefixes its transactional id. */
    public static Producer<String, byte[]> producer(KafkaClients clients, String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        // Outputs are JSON (sealed manifests are base64 ciphertext): zstd makes them several times smaller on the wire
        // and on disk. The record limit (max.request.size, the broker's message.max.bytes) is checked before it.
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        // A transaction only spans publishing one batch's outputs and its offsets (milliseconds). The one a
        // crashed replica left open blocks read_committed readers and its group's offsets until the broker aborts
        // it at this timeout, so a restart resumes after ~10 s instead of the default 60 s.
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        return clients.producer(groupId + "-" + UUID.randomUUID(), props);
    }
}

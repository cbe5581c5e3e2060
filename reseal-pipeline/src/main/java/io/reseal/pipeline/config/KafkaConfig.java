package io.reseal.pipeline.config;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.stage.Backoff;
import io.reseal.pipeline.stage.Batching;
import io.reseal.pipeline.stage.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * How the services reach Kafka and name their topics. Immutable, validated.
 *
 * @param bootstrapServers {@code host:port[,host:port]}; {@code KAFKA_BOOTSTRAP_SERVERS} overrides it
 * @param partitions partitions of topics Reseal creates (workers scale up to this many replicas)
 * @param replicationFactor of topics Reseal creates
 * @param topics overrides of the default topic names, by event short name ({@code requested}, ...)
 * @param retryDeadline how long a stage retries a record that fails for a passing reason
 * @param maxBatchRecords the most input records a stage commits in one transaction
 * @param maxBatchDuration how long a stage keeps taking records into one transaction after its first
 */
public record KafkaConfig(
        String bootstrapServers, Integer partitions, Short replicationFactor, Map<String, String> topics,
        Duration retryDeadline, Integer maxBatchRecords, Duration maxBatchDuration) {

    /** Without batch settings: {@link Batching#DEFAULT}. */
    public KafkaConfig(String bootstrapServers, Integer partitions, Short replicationFactor, Map<String, String> topics,
                       Duration retryDeadline) {
        this(bootstrapServers, partitions, replicationFactor, topics, retryDeadline, null, null);
    }

    public KafkaConfig {
        bootstrapServers = bootstrapServers == null ? "localhost:9092" : bootstrapServers;
        partitions = partitions == null ? 3 : partitions;
        replicationFactor = replicationFactor == null ? 1 : replicationFactor;
        topics = topics == null ? Map.of() : Map.copyOf(topics);
        retryDeadline = retryDeadline == null ? Duration.ofMinutes(5) : retryDeadline;
        maxBatchRecords = maxBatchRecords == null ? Batching.DEFAULT.maxRecords() : maxBatchRecords;
        maxBatchDuration = maxBatchDuration == null ? Batching.DEFAULT.maxDuration() : maxBatchDuration;
        new Batching(maxBatchRecords, maxBatchDuration);
        if (partitions < 1) throw new IllegalArgumentException("kafka.partitions must be >= 1");
        if (replicationFactor < 1) throw new IllegalArgumentException("kafka.replicationFactor must be >= 1");
        if (retryDeadline.isNegative()) throw new IllegalArgumentException("kafka.retryDeadline must not be negative");
        topicNames(topics);
    }

    public static KafkaConfig defaults() {
        return new KafkaConfig(null, null, null, null, null, null, null);
    }

    public KafkaConfig withBootstrapServers(String servers) {
        return new KafkaConfig(servers, partitions, replicationFactor, topics, retryDeadline, maxBatchRecords,
                maxBatchDuration);
    }

    public Topics topicNames() {
        return topicNames(topics);
    }

    public Backoff backoff() {
        return new Backoff(Backoff.DEFAULT.initial(), Backoff.DEFAULT.max(), retryDeadline);
    }

    /** How many records a stage commits per transaction. */
    public Batching batching() {
        return new Batching(maxBatchRecords, maxBatchDuration);
    }

    private static Topics topicNames(Map<String, String> overrides) {
        Map<EventType, String> byType = new EnumMap<>(EventType.class);
        overrides.forEach((shortName, topic) -> {
            EventType type = java.util.Arrays.stream(EventType.values())
                    .filter(t -> t.shortName().equals(shortName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("kafka.topics: unknown key '" + shortName
                            + "': expected requested, sealed, packaged, notified or failed"));
            byType.put(type, topic);
        });
        return Topics.withOverrides(byType);
    }
}

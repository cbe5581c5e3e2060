package io.reseal.pipeline.config;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.stage.Backoff;
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
 */
public record KafkaConfig(
        String bootstrapServers, Integer partitions, Short replicationFactor, Map<String, String> topics,
        Duration retryDeadline) {

    public KafkaConfig {
        bootstrapServers = bootstrapServers == null ? "localhost:9092" : bootstrapServers;
        partitions = partitions == null ? 3 : partitions;
        replicationFactor = replicationFactor == null ? 1 : replicationFactor;
        topics = topics == null ? Map.of() : Map.copyOf(topics);
        retryDeadline = retryDeadline == null ? Duration.ofMinutes(5) : retryDeadline;
        if (partitions < 1) throw new IllegalArgumentException("kafka.partitions must be >= 1");
        if (replicationFactor < 1) throw new IllegalArgumentException("kafka.replicationFactor must be >= 1");
        if (retryDeadline.isNegative()) throw new IllegalArgumentException("kafka.retryDeadline must not be negative");
        topicNames(topics);
    }

    public static KafkaConfig defaults() {
        return new KafkaConfig(null, null, null, null, null);
    }

    public KafkaConfig withBootstrapServers(String servers) {
        return new KafkaConfig(servers, partitions, replicationFactor, topics, retryDeadline);
    }

    public Topics topicNames() {
        return topicNames(topics);
    }

    public Backoff backoff() {
        return new Backoff(Backoff.DEFAULT.initial(), Backoff.DEFAULT.max(), retryDeadline);
    }

    private static Topics topicNames(Map<String, String> overrides) {
        Map<EventType, String> byType = new EnumMap<>(EventType.class);
        overrides.forEach((shortName, topic) -> {
            EventType type = java.util.Arrays.stream(EventType.values())
                    .filter(t -> t.shortName().equals(shortName))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("kafka.topics: unknown key '" + shortName
                            + "': expected requested, sealed, packaged, notified, failed, adopted or adoption_complete"));
            byType.put(type, topic);
        });
        return Topics.withOverrides(byType);
    }
}

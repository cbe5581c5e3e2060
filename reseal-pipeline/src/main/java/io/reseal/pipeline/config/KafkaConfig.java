package io.reseal.pipeline.config;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.stage.Backoff;
import io.reseal.pipeline.stage.Batching;
import io.reseal.pipeline.stage.Topics;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * How the services reach Kafka and name their topics. Immutable, validated.
 *
 * @param bootstrapServers {@code host:port[,host:port]}; {@code KAFKA_BOOTSTRAP_SERVERS} overrides it
 * @param partitions partitions of topics Reseal creates (workers scale up to this many replicas)
 * @param replicationFactor of topics Reseal creates
 * @param topics overrides of the default topic names, by event short name ({@code requested}, ...)
 * @param retryDeadline how long a stage retries a record that fails for a passing reason
 * @param security TLS and SASL of every client (default: none, {@code PLAINTEXT}); see {@link KafkaSecurity}
 * @param properties any other Kafka client property, passed through to every client that knows it (e.g.
 *     {@code compression.type} to producers only); a key no client knows is refused, and so are the ones Reseal's
 *     guarantees rest on ({@link #RESERVED_PROPERTIES}). Values of password-like keys are never printed.
 * @param maxBatchRecords the most input records a stage commits in one transaction
 * @param maxBatchDuration how long a stage keeps taking records into one transaction after its first
 * @param concurrency by stage name, on how many records of a batch the stage's handler works at once; only the stages
 *     of {@link #DEFAULT_CONCURRENCY} may be set (the others work on one record at a time), each to 1 or more
 */
public record KafkaConfig(
        String bootstrapServers, Integer partitions, Short replicationFactor, Map<String, String> topics,
        Duration retryDeadline, KafkaSecurity security, Map<String, String> properties, Integer maxBatchRecords,
        Duration maxBatchDuration, Map<String, Integer> concurrency) {

    /**
     * The stages whose handler may work on several records of a batch at once, and on how many by default. The
     * packager's uploads are idempotent (a deterministic archive under a stable key); the notifier's mails are not
     * (a crash repeats every mail in hand), so it mails one at a time unless told otherwise.
     */
    public static final Map<String, Integer> DEFAULT_CONCURRENCY = Map.of("packager", 8, "notifier", 1);

    /**
     * Client properties the pass-through map may not set: the connection and security settings have keys of their
     * own, and the others carry the pipeline's delivery guarantees (transactions, read_committed, manual commits).
     */
    public static final Set<String> RESERVED_PROPERTIES = Set.of(
            "bootstrap.servers", "security.protocol", "sasl.mechanism", "group.id", "group.instance.id",
            "transactional.id", "enable.auto.commit", "isolation.level", "auto.offset.reset", "enable.idempotence",
            "acks", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

    /** Without security, pass-through properties or batch settings: the defaults of each. */
    public KafkaConfig(String bootstrapServers, Integer partitions, Short replicationFactor, Map<String, String> topics,
                       Duration retryDeadline) {
        this(bootstrapServers, partitions, replicationFactor, topics, retryDeadline, null, null, null, null);
    }

    /** Without concurrency settings: each stage's default ({@link #DEFAULT_CONCURRENCY}). */
    public KafkaConfig(String bootstrapServers, Integer partitions, Short replicationFactor, Map<String, String> topics,
                       Duration retryDeadline, KafkaSecurity security, Map<String, String> properties,
                       Integer maxBatchRecords, Duration maxBatchDuration) {
        this(bootstrapServers, partitions, replicationFactor, topics, retryDeadline, security, properties,
                maxBatchRecords, maxBatchDuration, null);
    }

    public KafkaConfig {
        bootstrapServers = bootstrapServers == null ? "localhost:9092" : bootstrapServers;
        partitions = partitions == null ? 3 : partitions;
        replicationFactor = replicationFactor == null ? 1 : replicationFactor;
        topics = topics == null ? Map.of() : Map.copyOf(topics);
        retryDeadline = retryDeadline == null ? Duration.ofMinutes(5) : retryDeadline;
        security = security == null ? KafkaSecurity.none() : security;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
        properties.keySet().forEach(KafkaConfig::checkPassThrough);
        maxBatchRecords = maxBatchRecords == null ? Batching.DEFAULT.maxRecords() : maxBatchRecords;
        maxBatchDuration = maxBatchDuration == null ? Batching.DEFAULT.maxDuration() : maxBatchDuration;
        new Batching(maxBatchRecords, maxBatchDuration);
        concurrency = withDefaults(concurrency);
        if (partitions < 1) throw new IllegalArgumentException("kafka.partitions must be >= 1");
        if (replicationFactor < 1) throw new IllegalArgumentException("kafka.replicationFactor must be >= 1");
        if (retryDeadline.isNegative()) throw new IllegalArgumentException("kafka.retryDeadline must not be negative");
        topicNames(topics);
    }

    public static KafkaConfig defaults() {
        return new KafkaConfig(null, null, null, null, null);
    }

    public KafkaConfig withBootstrapServers(String servers) {
        return new KafkaConfig(servers, partitions, replicationFactor, topics, retryDeadline, security, properties,
                maxBatchRecords, maxBatchDuration, concurrency);
    }

    /** Whether a client property's value is a secret: Kafka types it as a password, or its name says so. */
    public static boolean isSecretProperty(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        return name.contains("password") || name.contains("secret") || name.contains("jaas")
                || name.equals("ssl.keystore.key") || isPasswordTyped(key);
    }

    /** Every field, with the values of secrets masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach((key, value) -> shown.put(key, isSecretProperty(key) ? "****" : value));
        return "KafkaConfig[bootstrapServers=" + bootstrapServers + ", partitions=" + partitions
                + ", replicationFactor=" + replicationFactor + ", topics=" + topics + ", retryDeadline=" + retryDeadline
                + ", security=" + security + ", properties=" + shown + ", maxBatchRecords=" + maxBatchRecords
                + ", maxBatchDuration=" + maxBatchDuration + ", concurrency=" + new TreeMap<>(concurrency) + "]";
    }

    /** The default of every stage not set, each value checked. */
    private static Map<String, Integer> withDefaults(Map<String, Integer> set) {
        Map<String, Integer> all = new TreeMap<>(DEFAULT_CONCURRENCY);
        if (set != null) {
            set.forEach((stage, value) -> {
                if (!DEFAULT_CONCURRENCY.containsKey(stage)) {
                    throw new IllegalArgumentException("kafka.concurrency: unknown key '" + stage + "': only "
                            + String.join(", ", new TreeMap<>(DEFAULT_CONCURRENCY).keySet())
                            + " work on several records at once; every other stage on one at a time");
                }
                if (value == null || value < 1) {
                    throw new IllegalArgumentException("kafka.concurrency." + stage + " must be >= 1, not " + value);
                }
                all.put(stage, value);
            });
        }
        return Map.copyOf(all);
    }

    /** On how many records of a batch {@code stage}'s handler works at once (1 for a stage without a setting). */
    public int concurrencyOf(String stage) {
        return concurrency.getOrDefault(stage, 1);
    }

    private static void checkPassThrough(String key) {
        if (RESERVED_PROPERTIES.contains(key)) {
            throw new IllegalArgumentException("kafka.properties: '" + key + "' cannot be passed through"
                    + (key.equals("bootstrap.servers") ? ": use kafka.bootstrapServers"
                    : key.startsWith("security.") || key.startsWith("sasl.") ? ": use kafka.security"
                    : ": Reseal's delivery guarantees depend on its own value"));
        }
        if (!ConsumerConfig.configNames().contains(key) && !ProducerConfig.configNames().contains(key)
                && !AdminClientConfig.configNames().contains(key)) {
            throw new IllegalArgumentException("kafka.properties: '" + key + "' is not a Kafka client property");
        }
    }

    private static boolean isPasswordTyped(String key) {
        for (ConfigDef def : new ConfigDef[] {ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef()}) {
            ConfigDef.ConfigKey definition = def.configKeys().get(key);
            if (definition != null && definition.type == ConfigDef.Type.PASSWORD) {
                return true;
            }
        }
        return false;
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
                            + "': expected one of " + java.util.Arrays.stream(EventType.values()).map(EventType::shortName)
                            .collect(java.util.stream.Collectors.joining(", "))));
            byType.put(type, topic);
        });
        return Topics.withOverrides(byType);
    }
}

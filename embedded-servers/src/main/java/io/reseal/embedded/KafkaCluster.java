package io.reseal.embedded;

/**
 * A Kafka cluster for tests and for the embedded local run, whatever runs it: a broker in this JVM
 * ({@link EmbeddedKafka}), in a separate JVM ({@link KafkaBrokerProcess}) or in a container.
 * {@link KafkaClusterFactory} picks between the in-JVM broker and a container.
 * <p>
 * A cluster is created stopped. {@link #start()} starts it and returns once it serves clients;
 * {@link #stop()} stops it and keeps its data; a later {@link #start()} serves the same data on the same
 * address, so a test can simulate a broker outage. {@link #close()} stops it for good and frees what it holds.
 * Implementations are not thread-safe: one test thread drives the lifecycle.
 */
public interface KafkaCluster extends AutoCloseable {

    /** The {@code bootstrap.servers} value for clients; known before the first start and stable across restarts. */
    String bootstrapServers();

    /** Starts the cluster, or restarts it on the same address and data; does nothing when running. */
    void start();

    /** Stops the cluster, keeping its data; does nothing when stopped. */
    void stop();

    /** Stops the cluster and releases its resources; it cannot be started again. */
    @Override
    void close();
}

package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * A real single-node KRaft Kafka broker (broker and controller roles) running in this JVM.
 * <p>
 * It listens on {@code 127.0.0.1} on a free port or a given one, with transactions and {@code read_committed}
 * supported (all internal topics have one replica). Topics are not created automatically: create them with an
 * {@code Admin} client. Its data lives under a given directory, which it never deletes, so data survives
 * {@link #stop()}/{@link #start()} and a JVM restart; without one it uses a temporary directory that
 * {@link #close()} deletes. With a {@link BrokerSecurity} its client listener speaks TLS and/or SASL and enforces
 * ACLs; {@link #bootstrapServers()} is then that listener's address.
 * <p>
 * While a broker runs in this JVM, a fatal broker fault that would call {@code System.exit} or
 * {@code Runtime.halt} throws an {@link IllegalStateException} instead (a JVM-wide Kafka setting, left in place
 * after {@link #close()}). Not thread-safe: one thread drives the lifecycle.
 */
public final class EmbeddedKafka implements KafkaCluster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaBrokerConfig config;
    private final boolean temporaryDataDir;
    private KafkaRaftServer server;

    /** A broker on a free port with a temporary data directory, deleted on {@link #close()}. */
    public EmbeddedKafka() {
        this(createTemporaryDirectory(), 0, true);
    }

    /**
     * A broker on the given port (0 for a free one) keeping its data in {@code dataDir}.
     *
     * @param dataDir created when missing, reused (not re-formatted) when it already holds a broker's data
     */
    public EmbeddedKafka(Path dataDir, int port) {
        this(dataDir, port, false);
    }

    /**
     * A broker on a free port with a temporary data directory, whose client listener is secured as {@code security}
     * says (TLS, SASL users, ACLs); see {@link BrokerSecurity} for what stays unsecured.
     */
    public EmbeddedKafka(BrokerSecurity security) {
        this(createTemporaryDirectory(), 0, true, security);
    }

    private EmbeddedKafka(Path dataDir, int port, boolean temporaryDataDir) {
        this(dataDir, port, temporaryDataDir, null);
    }

    private EmbeddedKafka(Path dataDir, int port, boolean temporaryDataDir, BrokerSecurity security) {
        this.config = new KafkaBrokerConfig(dataDir, port, security);
        this.temporaryDataDir = temporaryDataDir;
    }

    @Override
    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    @Override
    public void start() {
        if (server != null) {
            return;
        }
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to exit the JVM with status " + code + ": " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka asked to halt the JVM with status " + code + ": " + message);
        });
        config.prepareStorage();
        KafkaRaftServer starting = new KafkaRaftServer(KafkaConfig.fromProps(config.properties(), false), Time.SYSTEM);
        try {
            starting.startup();
        } catch (RuntimeException e) {
            starting.shutdown();
            starting.awaitShutdown();
            throw e;
        }
        server = starting;
        LOG.info("Kafka broker started on {} with data in {}", bootstrapServers(), config.dataDir());
    }

    @Override
    public void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        LOG.info("Kafka broker on {} stopped", bootstrapServers());
    }

    @Override
    public void close() {
        stop();
        if (temporaryDataDir) {
            deleteRecursively(config.dataDir());
        }
    }

    private static Path createTemporaryDirectory() {
        try {
            return Files.createTempDirectory("reseal-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka data directory", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("could not delete temporary Kafka data directory {}: {}", dir, e.toString());
        }
    }
}

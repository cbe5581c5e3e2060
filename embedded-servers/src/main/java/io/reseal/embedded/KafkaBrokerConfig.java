package io.reseal.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import kafka.tools.StorageTool;

/**
 * The one place that knows how a single-node KRaft broker (broker and controller in one process) is configured
 * and how its storage is prepared. {@link EmbeddedKafka} runs it in this JVM, {@link KafkaBrokerProcess} in a
 * separate one; both get the same properties from here.
 * <p>
 * Layout of the data directory: {@code server.properties} and {@code logs/} (the log and metadata directory).
 * The storage is formatted only when {@code logs/meta.properties} is missing, so a restart on the same directory
 * keeps every topic and record.
 */
final class KafkaBrokerConfig {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerConfig.class);
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final BrokerSecurity security;
    private final int internalPort;

    /**
     * @param dataDir the broker's data directory; created when missing
     * @param brokerPort the client (PLAINTEXT) port, or 0 for a free one, fixed from then on
     */
    KafkaBrokerConfig(Path dataDir, int brokerPort) {
        this(dataDir, brokerPort, null);
    }

    /**
     * @param security how the client listener is secured, or {@code null} for PLAINTEXT; when secured, the broker
     *     talks to itself on a separate plaintext listener ({@code INTERNAL}) on another free port
     */
    KafkaBrokerConfig(Path dataDir, int brokerPort, BrokerSecurity security) {
        this.dataDir = dataDir.toAbsolutePath();
        this.brokerPort = FreePort.orGiven(brokerPort);
        this.controllerPort = FreePort.orGiven(0);
        this.security = security;
        this.internalPort = security == null ? 0 : FreePort.orGiven(0);
    }

    Path dataDir() {
        return dataDir;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    Properties properties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        if (security == null) {
            p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "PLAINTEXT://" + bootstrapServers());
            p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        } else {
            p.setProperty("listeners", "CLIENT://127.0.0.1:" + brokerPort + ",INTERNAL://127.0.0.1:" + internalPort
                    + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.setProperty("advertised.listeners", "CLIENT://" + bootstrapServers() + ",INTERNAL://127.0.0.1:" + internalPort);
            p.setProperty("listener.security.protocol.map",
                    "CLIENT:" + security.protocol() + ",INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.setProperty("inter.broker.listener.name", "INTERNAL");
            security.listenerProperties("CLIENT").forEach(p::setProperty);
        }
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("log.dirs", logDir().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // After a crash the controller refuses the restarted broker until the old session expires (default 9 s).
        p.setProperty("broker.heartbeat.interval.ms", "500");
        p.setProperty("broker.session.timeout.ms", "2000");
        p.setProperty("auto.create.topics.enable", "false");
        return p;
    }

    /**
     * Writes {@code server.properties} and formats the storage unless it already is.
     *
     * @return the path of {@code server.properties}
     */
    Path prepareStorage() {
        Path propertiesFile = dataDir.resolve("server.properties");
        try {
            Files.createDirectories(dataDir);
            try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
                properties().store(out, "single-node KRaft broker, written by " + KafkaBrokerConfig.class.getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + propertiesFile, e);
        }
        if (Files.exists(logDir().resolve("meta.properties"))) {
            LOG.debug("Kafka storage {} already formatted, keeping its data", logDir());
            return propertiesFile;
        }
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            List<String> arguments = new ArrayList<>(List.of("format", "-t", clusterId, "-c", propertiesFile.toString()));
            if (security != null) arguments.addAll(security.scramFormatArguments());
            code = StorageTool.execute(arguments.toArray(String[]::new), out);
        }
        String toolOutput = output.toString(StandardCharsets.UTF_8).strip();
        if (code != 0) {
            throw new IllegalStateException(
                    "formatting Kafka storage " + logDir() + " failed (" + code + "): " + toolOutput);
        }
        LOG.debug("formatted Kafka storage {} for cluster {}: {}", logDir(), clusterId, toolOutput);
        return propertiesFile;
    }

    private Path logDir() {
        return dataDir.resolve("logs");
    }
}

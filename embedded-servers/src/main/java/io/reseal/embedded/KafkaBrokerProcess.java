package io.reseal.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same single-node KRaft broker as {@link EmbeddedKafka}, run as a separate JVM ({@code kafka.Kafka} on this
 * JVM's class path), so that a test can terminate it ({@link #stop()}, SIGTERM) or crash it ({@link #kill()},
 * SIGKILL) and {@link #start()} it again on the same port and data.
 * <p>
 * The data directory is given and never deleted: it holds {@code server.properties}, {@code logs/} and the
 * broker's console output in {@code broker.log}. The storage is formatted (in this JVM) only the first time.
 * {@link #close()} stops the process if it still runs; if this JVM exits without closing it, a shutdown hook
 * kills it, so no orphan broker keeps the port. Not thread-safe: one thread drives the lifecycle.
 */
public final class KafkaBrokerProcess implements KafkaCluster {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBrokerProcess.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaBrokerConfig config;
    private Process process;
    private Thread reaper;

    /**
     * @param dataDir created when missing, reused (not re-formatted) when it already holds a broker's data
     * @param port the client port, or 0 for a free one, kept across restarts
     */
    public KafkaBrokerProcess(Path dataDir, int port) {
        this.config = new KafkaBrokerConfig(dataDir, port);
    }

    @Override
    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    /** The broker's process id while it runs. */
    public long pid() {
        if (process == null) {
            throw new IllegalStateException("Kafka broker process is not running");
        }
        return process.pid();
    }

    /** Starts the broker process and returns once it answers clients; does nothing when it runs. */
    @Override
    public void start() {
        if (process != null) {
            if (process.isAlive()) {
                return;
            }
            end(true); // it died on its own: collect it before starting a new one
        }
        Path propertiesFile = config.prepareStorage();
        File consoleLog = config.dataDir().resolve("broker.log").toFile();
        try {
            process = new ProcessBuilder(command(propertiesFile))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a Kafka broker process", e);
        }
        Process started = process;
        reaper = new Thread(started::destroyForcibly, "kafka-broker-process-reaper-" + started.pid());
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            KafkaReadiness.await(bootstrapServers(), START_TIMEOUT, started::isAlive);
        } catch (RuntimeException e) {
            kill();
            throw new IllegalStateException(e.getMessage() + "; its output is in " + consoleLog, e);
        }
        LOG.info("Kafka broker process {} started on {} with data in {}", started.pid(), bootstrapServers(),
                config.dataDir());
    }

    /** Sends SIGTERM and waits for a clean shutdown (SIGKILL after 30 s); does nothing when not running. */
    @Override
    public void stop() {
        end(false);
    }

    /** Sends SIGKILL, like a crash or an OOM kill, and waits until the process is gone. */
    public void kill() {
        end(true);
    }

    @Override
    public void close() {
        stop();
    }

    private void end(boolean forcibly) {
        if (process == null) {
            return;
        }
        Process ending = process;
        process = null;
        removeReaper();
        if (forcibly) {
            ending.destroyForcibly();
        } else {
            ending.destroy();
        }
        try {
            if (!ending.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Kafka broker process {} ignored SIGTERM for {}, killing it", ending.pid(), STOP_TIMEOUT);
                ending.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            ending.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping Kafka broker process " + ending.pid(), e);
        }
        LOG.info("Kafka broker process {} on {} {} (exit status {})", ending.pid(), bootstrapServers(),
                forcibly ? "killed" : "stopped", ending.exitValue());
    }

    private void removeReaper() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException jvmShuttingDown) {
            // the hook is running or about to: it kills the process anyway
        }
        reaper = null;
    }

    private static List<String> command(Path propertiesFile) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("kafka.Kafka");
        command.add(propertiesFile.toString());
        return command;
    }
}

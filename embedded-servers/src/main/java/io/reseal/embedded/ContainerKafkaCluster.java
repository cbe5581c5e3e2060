package io.reseal.embedded;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A single-node Kafka in a Testcontainers {@code apache/kafka} container whose client port is bound to a fixed host
 * port, so that {@link #stop()} and {@link #start()} (a Docker stop and start of the same container) keep the
 * address and the data. {@link #close()} removes the container and its data. Needs a Docker engine.
 */
final class ContainerKafkaCluster implements KafkaCluster {

    static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.4.0");
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(ContainerKafkaCluster.class);

    private final FixedPortKafkaContainer container = new FixedPortKafkaContainer(FreePort.orGiven(0));
    private boolean created;
    private boolean running;

    @Override
    public String bootstrapServers() {
        return container.getHost() + ":" + container.hostPort;
    }

    @Override
    public void start() {
        if (running) {
            return;
        }
        if (created) {
            container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
            KafkaReadiness.await(bootstrapServers(), RESTART_TIMEOUT, container::isRunning);
        } else {
            container.start();
            created = true;
        }
        running = true;
        LOG.info("Kafka container {} serving on {}", container.getContainerId(), bootstrapServers());
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
        running = false;
        LOG.info("Kafka container {} stopped", container.getContainerId());
    }

    @Override
    public void close() {
        container.stop();
        running = false;
    }

    /** Binds the Kafka client port to a fixed host port, so that a restarted container keeps its address. */
    private static final class FixedPortKafkaContainer extends KafkaContainer {

        private final int hostPort;

        FixedPortKafkaContainer(int hostPort) {
            super(IMAGE);
            this.hostPort = hostPort;
            addFixedExposedPort(hostPort, 9092);
        }
    }
}

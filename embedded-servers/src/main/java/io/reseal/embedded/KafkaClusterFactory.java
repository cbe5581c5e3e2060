package io.reseal.embedded;

import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Chooses the {@link KafkaCluster} for a test run. The in-JVM {@link EmbeddedKafka} is the default; a Testcontainers
 * broker is used only when asked for with the system property {@code reseal.test.kafka=container} (or the
 * environment variable {@code RESEAL_TEST_KAFKA=container}) AND a Docker engine answers. Asking for a container
 * without Docker falls back to the in-JVM broker with a warning, so the same tests run everywhere.
 */
public final class KafkaClusterFactory {

    static final String PROPERTY = "reseal.test.kafka";
    static final String ENVIRONMENT_VARIABLE = "RESEAL_TEST_KAFKA";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterFactory.class);

    private KafkaClusterFactory() {
    }

    /** A new, not yet started cluster of the kind asked for by the environment. */
    public static KafkaCluster create() {
        String requested = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT_VARIABLE));
        return create(requested, () -> DockerClientFactory.instance().isDockerAvailable());
    }

    /**
     * @param requested {@code container}, {@code embedded}, or null/blank for the default (embedded)
     * @param dockerAvailable asked only when a container is requested
     */
    static KafkaCluster create(String requested, BooleanSupplier dockerAvailable) {
        String kind = requested == null || requested.isBlank()
                ? "embedded"
                : requested.strip().toLowerCase(Locale.ROOT);
        switch (kind) {
            case "embedded":
                return new EmbeddedKafka();
            case "container":
                if (dockerAvailable.getAsBoolean()) {
                    return new ContainerKafkaCluster();
                }
                LOG.warn("{}=container asks for a Kafka container but no Docker engine answers; "
                        + "using the in-JVM broker", PROPERTY);
                return new EmbeddedKafka();
            default:
                throw new IllegalArgumentException(PROPERTY + "/" + ENVIRONMENT_VARIABLE
                        + " must be 'embedded' or 'container', was '" + requested + "'");
        }
    }
}

package io.reseal.embedded;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Waits until a broker started outside this JVM's control answers a metadata request. It first waits for the port
 * to accept connections, so that the Kafka client does not log a warning for every refused attempt.
 */
final class KafkaReadiness {

    private static final int ATTEMPT_TIMEOUT_MS = 1_000;

    private KafkaReadiness() {
    }

    /**
     * Returns once the broker at {@code bootstrapServers} lists at least one node.
     *
     * @param stillStarting false when the broker is known to have died, which ends the wait at once
     * @throws IllegalStateException when the broker died or did not answer within {@code timeout}
     */
    static void await(String bootstrapServers, Duration timeout, BooleanSupplier stillStarting) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            awaitListening(bootstrapServers, deadline, stillStarting);
            awaitMetadata(bootstrapServers, deadline, stillStarting);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka broker " + bootstrapServers, e);
        }
    }

    private static void awaitMetadata(String bootstrapServers, long deadline, BooleanSupplier stillStarting)
            throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ATTEMPT_TIMEOUT_MS,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ATTEMPT_TIMEOUT_MS,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200))) {
            while (true) {
                checkStillStarting(bootstrapServers, stillStarting);
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(ATTEMPT_TIMEOUT_MS))
                            .nodes().get().isEmpty()) {
                        return;
                    }
                } catch (ExecutionException notYet) {
                    // not answering yet: try again until the deadline
                }
                checkDeadline(bootstrapServers, deadline);
                Thread.sleep(100);
            }
        }
    }

    private static void awaitListening(String bootstrapServers, long deadline, BooleanSupplier stillStarting)
            throws InterruptedException {
        int colon = bootstrapServers.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(bootstrapServers.substring(0, colon),
                Integer.parseInt(bootstrapServers.substring(colon + 1)));
        while (true) {
            checkStillStarting(bootstrapServers, stillStarting);
            try (Socket socket = new Socket()) {
                socket.connect(address, ATTEMPT_TIMEOUT_MS);
                return;
            } catch (IOException notYet) {
                checkDeadline(bootstrapServers, deadline);
                Thread.sleep(100);
            }
        }
    }

    private static void checkStillStarting(String bootstrapServers, BooleanSupplier stillStarting) {
        if (!stillStarting.getAsBoolean()) {
            throw new IllegalStateException("Kafka broker " + bootstrapServers + " stopped while starting");
        }
    }

    private static void checkDeadline(String bootstrapServers, long deadline) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka broker " + bootstrapServers + " did not become ready in time");
        }
    }
}

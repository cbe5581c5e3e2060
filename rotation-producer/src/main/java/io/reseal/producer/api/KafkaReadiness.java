package io.reseal.producer.api;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether Kafka answers: a {@code describeCluster} with a 2 s timeout, its result cached for 5 s so probes
 * cannot flood the cluster. Never blocks the caller. Thread-safe; closes its admin client.
 */
final class KafkaReadiness implements AutoCloseable {

    private static final Duration CACHE = Duration.ofSeconds(5);
    private static final int TIMEOUT_MS = 2_000;

    private final Admin admin;
    private long checkedAtNanos;
    private CompletableFuture<Boolean> last;

    KafkaReadiness(String bootstrapServers) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "reseal-producer-readiness");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS);
        this.admin = Admin.create(props);
    }

    synchronized CompletionStage<Boolean> reachable() {
        long now = System.nanoTime();
        if (last == null || (last.isDone() && now - checkedAtNanos >= CACHE.toNanos())) {
            checkedAtNanos = now;
            last = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS)).clusterId()
                    .toCompletionStage()
                    .handle((id, error) -> error == null && id != null)
                    .toCompletableFuture();
        }
        return last;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}

package io.reseal.pipeline.ops;

import io.reseal.pipeline.kafka.KafkaClients;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Whether Kafka answers: a {@code describeCluster} with a 2 s timeout, its result cached for 5 s so probes
 * cannot flood the cluster. {@link #reachable()} never blocks the caller. Thread-safe; closes its admin client.
 */
public final class KafkaReadiness implements AutoCloseable {

    private static final Duration CACHE = Duration.ofSeconds(5);
    private static final int TIMEOUT_MS = 2_000;

    private final Admin admin;
    private long checkedAtNanos;
    private CompletableFuture<Boolean> last;

    /** @param clientId names this check's admin client in the broker's logs ({@code reseal-<service>-readiness}) */
    public KafkaReadiness(KafkaClients clients, String clientId) {
        this.admin = clients.admin(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, clientId,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS));
    }

    /** Completes with whether Kafka answered, within about 2 s; a result younger than 5 s is reused. */
    public synchronized CompletionStage<Boolean> reachable() {
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

    /** {@link #reachable()}, waited for: blocks the calling thread for at most about 2 s. */
    public boolean isReachable() {
        try {
            return reachable().toCompletableFuture().get(TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}

package io.reseal.pipeline.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership through a Kubernetes {@code coordination.k8s.io/v1} Lease with fabric8's {@code LeaderElector}.
 * At most one replica holds the Lease at a time (as far as the Lease's duration bounds clock skew and pauses);
 * {@link #close()} releases it, so a successor takes over within one retry period instead of waiting for
 * it to expire. Does not close the Kubernetes client.
 */
public final class LeaseLeadership implements Leadership {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseLeadership.class);

    private final CompletableFuture<?> election;
    private volatile boolean leader;

    /**
     * Starts taking part in the election at once.
     *
     * @param leaseDuration how long a Lease holds without renewal; renewal gives up after 2/3 of it and
     *     candidates retry every 1/5 of it (15 s is a sound production value)
     */
    public LeaseLeadership(KubernetesClient client, String namespace, String leaseName, String identity,
                           Duration leaseDuration) {
        this(client, namespace, leaseName, identity, leaseDuration, "the scheduler");
    }

    /**
     * @param role what the leader does, for the log ({@code the scheduler}, {@code adoption})
     */
    public LeaseLeadership(KubernetesClient client, String namespace, String leaseName, String identity,
                           Duration leaseDuration, String role) {
        this.election = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(leaseName)
                        .withLock(new LeaseLock(namespace, leaseName, identity))
                        .withLeaseDuration(leaseDuration)
                        .withRenewDeadline(leaseDuration.multipliedBy(2).dividedBy(3))
                        .withRetryPeriod(leaseDuration.dividedBy(5))
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> {
                                    leader = true;
                                    LOG.info("{} leads {} (lease {}/{})", identity, role, namespace, leaseName);
                                },
                                () -> {
                                    leader = false;
                                    LOG.info("{} no longer leads {}", identity, role);
                                },
                                newLeader -> LOG.debug("{} leader is {}", role, newLeader)))
                        .build())
                .build()
                .start();
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public void close() {
        leader = false;
        election.cancel(true);
    }
}

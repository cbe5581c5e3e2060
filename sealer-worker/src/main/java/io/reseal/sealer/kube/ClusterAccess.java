package io.reseal.sealer.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.reseal.sealer.ClusterConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One fabric8 client per configured cluster, made on first use from the cluster's kubeconfig context
 * (or the in-cluster / current context when none is named). Thread-safe; {@link #close()} closes
 * every client it made, not the ones it was given.
 */
public final class ClusterAccess implements AutoCloseable {

    private final Map<String, ClusterConfig> clusters = new ConcurrentHashMap<>();
    private final Map<String, KubernetesClient> clients = new ConcurrentHashMap<>();
    private final Map<String, KubernetesClient> given;

    /** Clients made from kubeconfig contexts. */
    public ClusterAccess(List<ClusterConfig> clusters) {
        this(clusters, Map.of());
    }

    /** Uses {@code given} clients (by cluster name) where present, e.g. for tests against a stand-in API server. */
    public ClusterAccess(List<ClusterConfig> clusters, Map<String, KubernetesClient> given) {
        clusters.forEach(c -> this.clusters.put(c.name(), c));
        this.given = Map.copyOf(given);
    }

    public KubernetesClient client(String cluster) {
        KubernetesClient client = given.get(cluster);
        if (client != null) return client;
        ClusterConfig config = clusters.get(cluster);
        if (config == null) throw new IllegalArgumentException("unknown cluster '" + cluster + "'");
        return clients.computeIfAbsent(cluster, name ->
                new KubernetesClientBuilder().withConfig(Config.autoConfigure(config.context())).build());
    }

    @Override
    public void close() {
        clients.values().forEach(KubernetesClient::close);
        clients.clear();
    }
}

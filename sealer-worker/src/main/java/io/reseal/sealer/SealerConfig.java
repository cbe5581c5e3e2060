package io.reseal.sealer;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.sealer.values.ValueSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the sealer needs from {@code reseal.yaml}: clusters, bundles and workflows, checked against
 * each other (a workflow naming an unknown bundle or cluster is refused at start-up). Immutable.
 */
public record SealerConfig(List<ClusterConfig> clusters, List<BundleConfig> bundles, List<WorkflowConfig> workflows) {

    public SealerConfig {
        clusters = List.copyOf(clusters);
        bundles = List.copyOf(bundles);
        workflows = List.copyOf(workflows);
        if (clusters.isEmpty()) throw new IllegalArgumentException("clusters: at least one cluster is required");
        Map<String, ClusterConfig> clusterByName = unique(clusters.stream().map(c -> Map.entry(c.name(), c)).toList(), "clusters");
        Map<String, BundleConfig> bundleByName = unique(bundles.stream().map(b -> Map.entry(b.name(), b)).toList(), "bundles");
        unique(workflows.stream().map(w -> Map.entry(w.name(), w)).toList(), "workflows");
        for (BundleConfig bundle : bundles) {
            bundle.keys().forEach((key, source) -> {
                if (source instanceof ValueSource.FromSecret secret && secret.secret().cluster() != null
                        && !clusterByName.containsKey(secret.secret().cluster())) {
                    throw new IllegalArgumentException("bundles." + bundle.name() + ".keys." + key
                            + ".secret.cluster: unknown cluster '" + secret.secret().cluster() + "'");
                }
                if (source instanceof ValueSource.Issued issued) {
                    throw new IllegalArgumentException("bundles." + bundle.name() + ".keys." + key
                            + ".issued.issuer: unknown issuer '" + issued.issued().issuer() + "'");
                }
            });
        }
        for (WorkflowConfig workflow : workflows) {
            workflow.environments().forEach((env, where) -> {
                if (where.cluster() != null && !clusterByName.containsKey(where.cluster())) {
                    throw new IllegalArgumentException("workflows." + workflow.name() + ".environments." + env
                            + ".cluster: unknown cluster '" + where.cluster() + "'");
                }
                for (String bundle : where.bundles()) {
                    if (!bundleByName.containsKey(bundle)) {
                        throw new IllegalArgumentException("workflows." + workflow.name() + ".environments." + env
                                + ".bundles: unknown bundle '" + bundle + "'");
                    }
                }
            });
        }
    }

    private static <T> Map<String, T> unique(List<Map.Entry<String, T>> entries, String what) {
        Map<String, T> byName = new LinkedHashMap<>();
        for (var entry : entries) {
            if (byName.put(entry.getKey(), entry.getValue()) != null) {
                throw new IllegalArgumentException(what + ": '" + entry.getKey() + "' is declared twice");
            }
        }
        return byName;
    }

    public Optional<WorkflowConfig> workflow(String name) {
        return workflows.stream().filter(w -> w.name().equals(name)).findFirst();
    }

    public Optional<BundleConfig> bundle(String name) {
        return bundles.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** The named cluster, or the first one for {@code null}. */
    public ClusterConfig cluster(String name) {
        if (name == null) return clusters.get(0);
        return clusters.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown cluster '" + name + "'"));
    }
}

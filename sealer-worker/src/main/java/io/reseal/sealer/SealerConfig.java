package io.reseal.sealer;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.sealer.issuer.IssuerConfig;
import io.reseal.sealer.values.ValueSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the sealer needs from {@code reseal.yaml}: clusters, bundles, workflows and issuers, checked against
 * each other (a workflow naming an unknown bundle or cluster, a key naming an unknown issuer or field, is refused
 * at start-up). Immutable.
 */
public record SealerConfig(List<ClusterConfig> clusters, List<BundleConfig> bundles, List<WorkflowConfig> workflows,
                           List<IssuerConfig> issuers) {

    /** A configuration without issuers. */
    public SealerConfig(List<ClusterConfig> clusters, List<BundleConfig> bundles, List<WorkflowConfig> workflows) {
        this(clusters, bundles, workflows, List.of());
    }

    public SealerConfig {
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        Map<String, IssuerConfig> issuerByName = unique(issuers.stream().map(i -> Map.entry(i.name(), i)).toList(), "issuers");
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
                    IssuerConfig issuer = issuerByName.get(issued.issued().issuer());
                    if (issuer == null) {
                        throw new IllegalArgumentException("bundles." + bundle.name() + ".keys." + key
                                + ".issued.issuer: unknown issuer '" + issued.issued().issuer() + "'");
                    }
                    if (!issuer.fields().contains(issued.issued().field())) {
                        throw new IllegalArgumentException("bundles." + bundle.name() + ".keys." + key
                                + ".issued.field: issuer '" + issuer.name() + "' has no field '" + issued.issued().field()
                                + "' (it has " + String.join(", ", new java.util.TreeSet<>(issuer.fields())) + ")");
                    }
                }
            });
        }
        for (WorkflowConfig workflow : workflows) {
            for (String cluster : workflow.subscribe().clusters() == null ? List.<String>of() : workflow.subscribe().clusters()) {
                if (!clusterByName.containsKey(cluster)) {
                    throw new IllegalArgumentException("workflows." + workflow.name() + ".subscribe.clusters: unknown cluster '"
                            + cluster + "'");
                }
            }
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

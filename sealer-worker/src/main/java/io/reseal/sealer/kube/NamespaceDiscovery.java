package io.reseal.sealer.kube;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.SealerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the namespaces subscribed to a workflow. In clusters with {@code discover: true}: Namespaces
 * labelled {@code reseal.io/workflow=<workflow>} and {@code reseal.io/environment=<env>}, bundles from the
 * {@code reseal.io/bundles} annotation, contacts from {@code reseal.io/contacts}. Elsewhere: the
 * workflow's environments in the config file. Thread-safe.
 */
public final class NamespaceDiscovery {

    public static final String WORKFLOW_LABEL = "reseal.io/workflow";
    public static final String ENVIRONMENT_LABEL = "reseal.io/environment";
    public static final String BUNDLES_ANNOTATION = "reseal.io/bundles";
    public static final String CONTACTS_ANNOTATION = "reseal.io/contacts";
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceDiscovery.class);

    private final SealerConfig config;
    private final ClusterAccess clusters;

    public NamespaceDiscovery(SealerConfig config, ClusterAccess clusters) {
        this.config = config;
        this.clusters = clusters;
    }

    /** Every subscription of {@code workflow}, configured and discovered, in a stable order. */
    public List<Subscription> subscriptions(String workflow) throws RetriableStageException, PermanentStageException {
        List<Subscription> found = new ArrayList<>();
        Optional<WorkflowConfig> configured = config.workflow(workflow);
        configured.ifPresent(wf -> wf.environments().forEach((env, where) -> {
            ClusterConfig cluster = config.cluster(where.cluster());
            if (!cluster.discover()) {
                found.add(new Subscription(env, where.namespace(), cluster.name(), where.bundles(), where.contacts()));
            }
        }));
        for (ClusterConfig cluster : config.clusters()) {
            if (cluster.discover()) {
                found.addAll(discover(cluster.name(), workflow, configured.map(WorkflowConfig::bundles).orElse(List.of())));
            }
        }
        return found;
    }

    private List<Subscription> discover(String cluster, String workflow, List<String> defaultBundles)
            throws RetriableStageException, PermanentStageException {
        List<Namespace> namespaces;
        try {
            namespaces = clusters.client(cluster).namespaces().withLabel(WORKFLOW_LABEL, workflow).list().getItems();
        } catch (KubernetesClientException e) {
            KubernetesErrors.rethrow("listing namespaces of workflow " + workflow + " in cluster " + cluster, e);
            return List.of();
        }
        List<Subscription> found = new ArrayList<>();
        for (Namespace namespace : namespaces) {
            String name = namespace.getMetadata().getName();
            Map<String, String> labels = namespace.getMetadata().getLabels();
            Map<String, String> annotations = Optional.ofNullable(namespace.getMetadata().getAnnotations()).orElse(Map.of());
            String env = labels.get(ENVIRONMENT_LABEL);
            if (env == null || !RequestRules.DNS_LABEL.matcher(env).matches()) {
                LOG.warn("namespace {} in cluster {} is labelled for workflow {} but has no valid {} label; ignored",
                        name, cluster, workflow, ENVIRONMENT_LABEL);
                continue;
            }
            List<String> bundles = annotations.containsKey(BUNDLES_ANNOTATION)
                    ? split(annotations.get(BUNDLES_ANNOTATION))
                    : defaultBundles;
            List<String> contacts = split(annotations.getOrDefault(CONTACTS_ANNOTATION, "")).stream()
                    .filter(contact -> {
                        boolean valid = RequestRules.requestor(contact).isEmpty();
                        if (!valid) LOG.warn("namespace {}: ignoring invalid contact address in {}", name, CONTACTS_ANNOTATION);
                        return valid;
                    })
                    .toList();
            found.add(new Subscription(env, name, cluster, bundles, contacts));
        }
        found.sort(java.util.Comparator.comparing(Subscription::environment).thenComparing(Subscription::namespace));
        return found;
    }

    private static List<String> split(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}

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
 * {@code reseal.io/bundles} annotation, contacts from {@code reseal.io/contacts}, but only as far as the
 * configured workflow grants ({@link WorkflowConfig.SubscribeConfig}): a configured workflow, an allowed
 * cluster and namespace name, bundles of the workflow's own list, contacts in allowed domains. A label
 * claims; only the configuration grants. Elsewhere: the workflow's environments in the config file.
 * Thread-safe.
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
            if (cluster.discover() && configured.isPresent() && configured.get().subscribe().allowsCluster(cluster.name())) {
                found.addAll(discover(cluster.name(), configured.get()));
            }
        }
        return found;
    }

    private List<Subscription> discover(String cluster, WorkflowConfig granted)
            throws RetriableStageException, PermanentStageException {
        String workflow = granted.name();
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
            if (!granted.subscribe().allowsNamespace(workflow, env, name)) {
                LOG.warn("namespace {} in cluster {} claims environment {} of workflow {}, which does not grant that"
                        + " namespace name (workflows[].subscribe.namespaces); ignored", name, cluster, env, workflow);
                continue;
            }
            List<String> bundles = annotations.containsKey(BUNDLES_ANNOTATION)
                    ? split(annotations.get(BUNDLES_ANNOTATION))
                    : granted.bundles();
            List<String> foreign = bundles.stream().filter(bundle -> !granted.bundles().contains(bundle)).toList();
            if (!foreign.isEmpty()) {
                LOG.warn("namespace {} in cluster {} asks for {} bundle(s) that are not workflow {}'s; they are not sealed"
                        + " for it", name, cluster, foreign.size(), workflow);
                bundles = bundles.stream().filter(granted.bundles()::contains).toList();
            }
            if (bundles.isEmpty()) {
                continue;
            }
            List<String> contacts = split(annotations.getOrDefault(CONTACTS_ANNOTATION, "")).stream()
                    .filter(contact -> {
                        boolean valid = RequestRules.requestor(contact).isEmpty();
                        if (!valid) LOG.warn("namespace {}: ignoring invalid contact address in {}", name, CONTACTS_ANNOTATION);
                        boolean allowed = valid && granted.subscribe().allowsContact(contact, granted.requestor());
                        if (valid && !allowed) {
                            LOG.warn("namespace {}: ignoring a contact outside the domains workflow {} allows"
                                    + " (workflows[].subscribe.contactDomains)", name, workflow);
                        }
                        return allowed;
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

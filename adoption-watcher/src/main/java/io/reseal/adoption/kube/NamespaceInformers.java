package io.reseal.adoption.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * fabric8 informers on one namespace: SealedSecrets ({@code bitnami.com/v1alpha1}), Secrets, Deployments,
 * StatefulSets, DaemonSets and Pods. They list, then watch; when the watch breaks (the API server went away, or
 * the resource version expired) they list again and report what changed meanwhile; every {@code resync} they
 * replay their cache. Each add, update or delete calls {@code onChange}.
 *
 * <p>Secrets are watched one by one, by name (a {@code metadata.name} field selector), from the first time
 * {@link #secret} asks for one: so RBAC can grant {@code list}/{@code watch} on the Secrets Reseal delivers only
 * ({@code resourceNames}), not on every Secret of the namespace. Until that informer has listed, {@link #secret}
 * finds nothing, which can only hold a namespace back at {@code applied} for a moment, never move it on.
 * Secrets and Pods are cached reduced to the fields adoption reads (a Secret's annotations, never its data).
 * Thread-safe; {@link #close()} stops every informer.
 */
public final class NamespaceInformers implements NamespaceObjects, AutoCloseable {

    /** The SealedSecret resource, without discovery (the CRD need not be readable by this service). */
    public static final ResourceDefinitionContext SEALED_SECRETS = new ResourceDefinitionContext.Builder()
            .withGroup("bitnami.com").withVersion("v1alpha1").withKind("SealedSecret").withPlural("sealedsecrets")
            .withNamespaced(true).build();

    private final String namespace;
    private final KubernetesClient client;
    private final long resyncMillis;
    private final ResourceEventHandler<HasMetadata> handler;
    private final SharedIndexInformer<GenericKubernetesResource> sealedSecrets;
    private final Map<String, SharedIndexInformer<Secret>> secrets = new ConcurrentHashMap<>();
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<StatefulSet> statefulSets;
    private final SharedIndexInformer<DaemonSet> daemonSets;
    private final SharedIndexInformer<Pod> pods;

    /** Starts the informers; they keep retrying in the background while the API server cannot be reached. */
    public NamespaceInformers(KubernetesClient client, String namespace, Duration resync, Runnable onChange) {
        this.namespace = namespace;
        this.client = client;
        this.resyncMillis = resync.toMillis();
        this.handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                onChange.run();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                onChange.run();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                onChange.run();
            }
        };
        var serialization = client.getKubernetesSerialization();
        sealedSecrets = client.genericKubernetesResources(SEALED_SECRETS).inNamespace(namespace)
                .runnableInformer(resyncMillis);
        deployments = client.apps().deployments().inNamespace(namespace).runnableInformer(resyncMillis);
        statefulSets = client.apps().statefulSets().inNamespace(namespace).runnableInformer(resyncMillis);
        daemonSets = client.apps().daemonSets().inNamespace(namespace).runnableInformer(resyncMillis);
        pods = client.pods().inNamespace(namespace).runnableInformer(resyncMillis)
                .itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Pod.class,
                        serialization, "metadata.labels", "status.startTime", "status.phase"));
        for (SharedIndexInformer<? extends HasMetadata> informer : informers()) {
            informer.addEventHandler(handler);
            informer.start();
        }
    }

    private List<SharedIndexInformer<? extends HasMetadata>> informers() {
        return List.of(sealedSecrets, deployments, statefulSets, daemonSets, pods);
    }

    /** Whether every informer has listed once (its cache reflects the namespace). */
    public boolean synced() {
        return informers().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    @Override
    public Optional<GenericKubernetesResource> sealedSecret(String name) {
        return Optional.ofNullable(sealedSecrets.getStore().getByKey(namespace + "/" + name));
    }

    @Override
    public Optional<Secret> secret(String name) {
        SharedIndexInformer<Secret> informer = secrets.computeIfAbsent(name, this::watchSecret);
        return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
    }

    private SharedIndexInformer<Secret> watchSecret(String name) {
        SharedIndexInformer<Secret> informer = client.secrets().inNamespace(namespace).withName(name)
                .runnableInformer(resyncMillis)
                .itemStore(new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, Secret.class,
                        client.getKubernetesSerialization(), "metadata.annotations"));
        informer.addEventHandler(handler);
        informer.start();
        return informer;
    }

    @Override
    public List<Workload> workloads() {
        List<Workload> all = new ArrayList<>();
        deployments.getStore().list().forEach(d -> all.add(Workload.of(d)));
        statefulSets.getStore().list().forEach(s -> all.add(Workload.of(s)));
        daemonSets.getStore().list().forEach(d -> all.add(Workload.of(d)));
        return all;
    }

    @Override
    public List<Pod> pods() {
        return pods.getStore().list();
    }

    @Override
    public void close() {
        Stream.concat(informers().stream(), secrets.values().stream()).forEach(SharedIndexInformer::stop);
    }
}

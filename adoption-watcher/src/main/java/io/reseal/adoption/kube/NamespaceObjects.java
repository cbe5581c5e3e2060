package io.reseal.adoption.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Optional;

/** What one namespace holds that adoption depends on, as the informers' caches see it now. */
public interface NamespaceObjects {

    Optional<GenericKubernetesResource> sealedSecret(String name);

    /** The Secret's metadata only: the caches never keep a Secret's data. */
    Optional<Secret> secret(String name);

    List<Workload> workloads();

    List<Pod> pods();
}

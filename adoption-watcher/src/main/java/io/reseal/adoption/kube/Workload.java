package io.reseal.adoption.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Deployment, StatefulSet or DaemonSet, reduced to what adoption asks of it: its name, the labels that select
 * its pods, and which Secrets its pod template uses (by {@code envFrom}, {@code secretKeyRef}, a secret or
 * projected volume, or {@code imagePullSecrets}).
 */
public record Workload(String kind, String name, Map<String, String> selector, PodSpec template) {

    public static Workload of(Deployment d) {
        return new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getSelector().getMatchLabels(),
                d.getSpec().getTemplate().getSpec());
    }

    public static Workload of(StatefulSet s) {
        return new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getSelector().getMatchLabels(),
                s.getSpec().getTemplate().getSpec());
    }

    public static Workload of(DaemonSet d) {
        return new Workload("DaemonSet", d.getMetadata().getName(), d.getSpec().getSelector().getMatchLabels(),
                d.getSpec().getTemplate().getSpec());
    }

    /** Whether the pod template uses the Secret {@code name} in any of the ways a pod can. */
    public boolean uses(String secret) {
        return secretsUsed().contains(secret);
    }

    /** Whether a pod with {@code labels} belongs to this workload (its selector's labels all match). */
    public boolean selects(Map<String, String> labels) {
        return selector != null && !selector.isEmpty() && labels != null
                && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private List<String> secretsUsed() {
        List<String> used = new ArrayList<>();
        if (template == null) {
            return used;
        }
        Stream.concat(list(template.getContainers()).stream(), list(template.getInitContainers()).stream())
                .forEach(c -> used.addAll(secretsOf(c)));
        for (LocalObjectReference pull : list(template.getImagePullSecrets())) {
            used.add(pull.getName());
        }
        for (Volume volume : list(template.getVolumes())) {
            if (volume.getSecret() != null) {
                used.add(volume.getSecret().getSecretName());
            }
            if (volume.getProjected() != null) {
                for (VolumeProjection source : list(volume.getProjected().getSources())) {
                    if (source.getSecret() != null) used.add(source.getSecret().getName());
                }
            }
        }
        return used;
    }

    private static List<String> secretsOf(Container container) {
        List<String> used = new ArrayList<>();
        for (EnvFromSource from : list(container.getEnvFrom())) {
            if (from.getSecretRef() != null) used.add(from.getSecretRef().getName());
        }
        for (EnvVar env : list(container.getEnv())) {
            if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                used.add(env.getValueFrom().getSecretKeyRef().getName());
            }
        }
        return used;
    }

    private static <T> List<T> list(List<T> list) {
        return list == null ? List.of() : list;
    }
}

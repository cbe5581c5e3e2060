package io.reseal.adoption.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.reseal.adoption.AdoptionTarget;
import io.reseal.adoption.Observation;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAnnotation;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads where one target stands from its namespace's objects, as the sealed-secrets controller reports it:
 * <ul>
 *   <li>{@code applied}: every SealedSecret of the rotation is there, annotated with its rotation id;</li>
 *   <li>{@code decryption-failed}: one has {@code status.conditions[type=Synced].status=False} for its current
 *       generation ({@code status.observedGeneration}); the message is the controller's;</li>
 *   <li>{@code unsealed}: all are {@code Synced=True} for their current generation and each Secret carries the
 *       rotation id (the controller copies the template's annotations); since the condition's
 *       {@code lastUpdateTime};</li>
 *   <li>{@code rolled-out}: every workload using one of the Secrets has pods, all started at or after the unseal
 *       (a workload not yet restarted, or halfway, still runs the previous credential); with no workload using
 *       them, nothing runs the previous credential, which the message says.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class AdoptionProbe {

    /** @param unsealedSince when the target was seen unsealed before (the reference pods must be newer than), if it was */
    public Observation observe(AdoptionTarget target, NamespaceObjects objects, Optional<Instant> unsealedSince,
                               Instant now) {
        List<GenericKubernetesResource> sealed = new ArrayList<>();
        for (String name : target.secrets()) {
            Optional<GenericKubernetesResource> found = objects.sealedSecret(name)
                    .filter(s -> target.rotationId().equals(annotation(s.getMetadata().getAnnotations())));
            if (found.isEmpty()) {
                return Observation.NOTHING;
            }
            sealed.add(found.get());
        }
        for (GenericKubernetesResource s : sealed) {
            Map<String, Object> synced = syncedCondition(s);
            if (synced != null && currentGeneration(s) && "False".equals(synced.get("status"))) {
                return new Observation(AdoptionState.DECRYPTION_FAILED, time(synced.get("lastUpdateTime"), now),
                        s.getMetadata().getName() + ": " + Objects.toString(synced.get("message"), "(no message)"));
            }
        }
        Instant unsealedAt = null;
        for (GenericKubernetesResource s : sealed) {
            Map<String, Object> synced = syncedCondition(s);
            if (synced == null || !currentGeneration(s)) {
                return new Observation(AdoptionState.APPLIED, now, null);
            }
            Optional<Secret> secret = objects.secret(s.getMetadata().getName());
            if (!"True".equals(synced.get("status")) || secret.isEmpty()
                    || !target.rotationId().equals(annotation(secret.get().getMetadata().getAnnotations()))) {
                return new Observation(AdoptionState.APPLIED, now, null);
            }
            Instant at = time(synced.get("lastUpdateTime"), now);
            unsealedAt = unsealedAt == null || at.isAfter(unsealedAt) ? at : unsealedAt;
        }
        Instant reference = unsealedSince.orElse(unsealedAt);
        List<Workload> users = objects.workloads().stream()
                .filter(w -> target.secrets().stream().anyMatch(w::uses))
                .toList();
        if (users.isEmpty()) {
            return new Observation(AdoptionState.ROLLED_OUT, reference, "no workload uses " + String.join(", ", target.secrets()));
        }
        Instant lastStart = reference;
        for (Workload workload : users) {
            List<Pod> pods = objects.pods().stream()
                    .filter(p -> workload.selects(p.getMetadata().getLabels()))
                    .filter(p -> !"Succeeded".equals(phase(p)) && !"Failed".equals(phase(p)))
                    .toList();
            if (pods.isEmpty()) {
                return new Observation(AdoptionState.UNSEALED, reference, null);
            }
            for (Pod pod : pods) {
                Instant started = pod.getStatus() == null ? null : time(pod.getStatus().getStartTime(), null);
                if (started == null || started.isBefore(reference)) {
                    return new Observation(AdoptionState.UNSEALED, reference, null);
                }
                lastStart = started.isAfter(lastStart) ? started : lastStart;
            }
        }
        return new Observation(AdoptionState.ROLLED_OUT, lastStart, users.size() + " workload(s) restarted: "
                + String.join(", ", users.stream().map(w -> w.kind() + "/" + w.name()).toList()));
    }

    private static String annotation(Map<String, String> annotations) {
        return annotations == null ? null : annotations.get(RotationAnnotation.KEY);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> syncedCondition(GenericKubernetesResource sealed) {
        Object status = sealed.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> statusMap) || !(statusMap.get("conditions") instanceof List<?> conditions)) {
            return null;
        }
        for (Object condition : conditions) {
            if (condition instanceof Map<?, ?> map && "Synced".equals(map.get("type"))) {
                return (Map<String, Object>) map;
            }
        }
        return null;
    }

    /** The controller has seen this generation: {@code status.observedGeneration} equals {@code metadata.generation}. */
    private static boolean currentGeneration(GenericKubernetesResource sealed) {
        Object status = sealed.getAdditionalProperties().get("status");
        Object observed = status instanceof Map<?, ?> map ? map.get("observedGeneration") : null;
        Long generation = sealed.getMetadata().getGeneration();
        if (generation == null) {
            return true; // an API server that does not count generations: the condition is all there is
        }
        return observed instanceof Number n && n.longValue() == generation;
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static Instant time(Object text, Instant fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Instant.parse(text.toString());
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }
}

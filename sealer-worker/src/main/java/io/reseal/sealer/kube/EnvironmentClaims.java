package io.reseal.sealer.kube;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A workflow's subscriptions by environment, where two namespaces claiming one environment are a conflict, not a
 * coin toss: the environment gets nothing and one failed record names every claimant, while the workflow's other
 * environments are sealed as usual. Immutable.
 *
 * @param unique the environments claimed by exactly one namespace, in the order found
 * @param conflicts environment to the message naming its claimants
 */
public record EnvironmentClaims(List<Subscription> unique, Map<String, String> conflicts) {

    public static final String CONFLICT = ErrorCode.AMBIGUOUS_ENVIRONMENT.wire();

    public EnvironmentClaims {
        unique = List.copyOf(unique);
        conflicts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(conflicts));
    }

    /** Sorts {@code subscriptions} of {@code workflow} into unique claims and conflicts. */
    public static EnvironmentClaims of(String workflow, List<Subscription> subscriptions) {
        Map<String, List<Subscription>> byEnvironment = new LinkedHashMap<>();
        subscriptions.forEach(s -> byEnvironment.computeIfAbsent(s.environment(), env -> new ArrayList<>()).add(s));
        List<Subscription> unique = new ArrayList<>();
        Map<String, String> conflicts = new LinkedHashMap<>();
        byEnvironment.forEach((env, claimants) -> {
            if (claimants.size() == 1) {
                unique.add(claimants.get(0));
            } else {
                conflicts.put(env, "environment '" + env + "' of workflow '" + workflow + "' is claimed by "
                        + claimants.size() + " namespaces: " + claimants.stream()
                        .map(s -> s.namespace() + " in " + s.cluster()).collect(Collectors.joining(" and "))
                        + "; it receives nothing until only one claims it");
            }
        });
        return new EnvironmentClaims(unique, conflicts);
    }

    /**
     * One failed record of {@code stage} (CloudEvents {@code source}) for each conflict among {@code environments}
     * (all conflicts if empty), for {@code event}'s rotation.
     */
    public List<RotationEvent<?>> failures(String stage, String source, RotationEvent<?> event,
                                          Collection<String> environments) {
        List<RotationEvent<?>> failures = new ArrayList<>();
        conflicts.forEach((env, message) -> {
            if (environments.isEmpty() || environments.contains(env)) {
                failures.add(new RotationEvent<>(event.rotationId() + ".failed." + env, java.net.URI.create(source), EventType.FAILED,
                        event.subject(), event.time(), event.rotationId(),
                        new RotationFailed(stage, CONFLICT, message, null, null, null, event.rotationId(), event.subject())));
            }
        });
        return failures;
    }
}

package io.reseal.adoption;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import java.time.Duration;
import java.util.Optional;

/**
 * The adoption watcher's metrics. Labels are workflow, state, outcome and cluster names only:
 * <ul>
 *   <li>{@code reseal_rotation_namespaces{state}}: namespaces of rotations still being adopted, by current
 *       state, rebuilt from the topic after a restart;</li>
 *   <li>{@code reseal_rotation_time_to_adopt_seconds{workflow}}: from delivery to the namespace reaching the
 *       configured state (histogram);</li>
 *   <li>{@code reseal_rotation_decryption_failures_total{workflow,cluster}};</li>
 *   <li>{@code reseal_rotation_adoption_complete_total{workflow,outcome}}: {@code adopted} or {@code deadline}.</li>
 * </ul>
 * Thread-safe.
 */
final class AdoptionMetrics {

    private final MeterRegistry registry;
    private final AdoptionState target;

    AdoptionMetrics(MeterRegistry registry, AdoptionTracker tracker, AdoptionState target) {
        this.registry = registry;
        this.target = target;
        for (AdoptionState state : AdoptionState.values()) {
            Gauge.builder("reseal.rotation.namespaces", tracker, t -> t.countOpen(state))
                    .description("Namespaces of rotations still being adopted, by current state")
                    .tag("state", state.wireName())
                    .register(registry);
        }
    }

    void published(RotationAdopted change, Optional<java.time.Instant> deliveredAt) {
        if (change.state() == AdoptionState.DECRYPTION_FAILED) {
            Counter.builder("reseal.rotation.decryption.failures")
                    .description("Namespaces whose controller could not decrypt a rotation")
                    .tag("workflow", String.valueOf(change.workflow())).tag("cluster", change.cluster())
                    .register(registry).increment();
        }
        if (change.state() == target && deliveredAt.isPresent()) {
            DistributionSummary.builder("reseal.rotation.time.to.adopt")
                    .description("From delivery to a namespace reaching the adoption target")
                    .baseUnit("seconds")
                    .publishPercentileHistogram()
                    .tag("workflow", String.valueOf(change.workflow()))
                    .register(registry)
                    .record(Math.max(0, Duration.between(deliveredAt.get(), change.since()).toSeconds()));
        }
    }

    void published(RotationAdoptionComplete complete) {
        Counter.builder("reseal.rotation.adoption.complete")
                .description("Rotations whose adoption ended, by outcome")
                .tag("workflow", String.valueOf(complete.workflow())).tag("outcome", complete.outcome().wireName())
                .register(registry).increment();
    }
}

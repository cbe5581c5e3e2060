package io.reseal.producer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.producer.schedule.Schedule;
import io.reseal.producer.status.RotationStatusView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The producer's metrics, in Prometheus text format, all named {@code reseal_*}:
 * <ul>
 *   <li>{@code reseal_api_requests_total{endpoint,outcome}}; {@code reseal_api_denied_total{status,reason}}: 401
 *       ({@code no-token}, {@code unknown-token}), 403 ({@code workflow-not-allowed}, {@code requestor-not-allowed})
 *       and 429 ({@code rate-limited}) answers;</li>
 *   <li>{@code reseal_schedule_fires_total{workflow}}; {@code reseal_rotations_requested_total{trigger}}: rotation
 *       requests this replica saw first after it loaded, by the contract's trigger ({@code scheduled},
 *       {@code ad-hoc}, {@code key-renewal}), whoever wrote them (scheduler, API, CLI, the sealer's key renewal, kcat);</li>
 *   <li>{@code reseal_rotations{stage}}: known rotations by current stage; {@code reseal_rotation_stage_oldest_seconds{stage}}:
 *       how long the oldest one has been in each in-flight stage; {@code reseal_rotation_revocations_failed}:
 *       rotations whose finish failed (their previous credential is still valid);</li>
 *   <li>{@code reseal_credential_age_seconds{workflow,bundle}}: since the bundle was last delivered to all the
 *       workflow's environments that receive it; {@code reseal_credential_max_age_seconds{workflow,bundle}}: for a
 *       scheduled workflow, the schedule's period plus {@code schedule.slack}: an age above it means a scheduled
 *       rotation did not arrive (the "expiration warning").</li>
 * </ul>
 * Labels hold configured workflow and bundle names, HTTP statuses and fixed words only, never a token, a principal,
 * an address or a requestor. Thread-safe.
 */
public final class ProducerMetrics {

    /** The stages a rotation passes through on its way, where it can get stuck. */
    static final List<String> IN_FLIGHT_STAGES = List.of(EventType.REQUESTED, EventType.SEALED, EventType.PACKAGED,
            EventType.FINISHING).stream().map(EventType::shortName).toList();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Counts an API request: {@code reseal_api_requests_total{endpoint, outcome}}. */
    public void request(String endpoint, String outcome) {
        Counter.builder("reseal.api.requests")
                .description("HTTP API requests by endpoint and outcome")
                .tag("endpoint", endpoint)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** Counts a refused caller: {@code reseal_api_denied_total{status, reason}}; {@code reason} is a fixed word. */
    public void denied(int status, String reason) {
        Counter.builder("reseal.api.denied")
                .description("API requests refused for who asked: no or unknown token, not allowed, over its rate")
                .tag("status", Integer.toString(status))
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** Counts a scheduled rotation sent: {@code reseal_schedule_fires_total{workflow}}. */
    public void scheduledFire(String workflow) {
        Counter.builder("reseal.schedule.fires")
                .description("Scheduled rotations requested, including catch-ups")
                .tag("workflow", workflow)
                .register(registry)
                .increment();
    }

    /** Counts a rotation request seen for the first time: {@code reseal_rotations_requested_total{trigger}}. */
    public void rotationRequested(RotationRequested request) {
        Counter.builder("reseal.rotations.requested")
                .description("Rotation requests first seen by this replica, by trigger")
                .tag("trigger", request.trigger().wireName())
                .register(registry)
                .increment();
    }

    /**
     * Exposes what {@code view} knows: {@code reseal_rotations{stage}}, the oldest rotation of each in-flight stage,
     * failed revocations, and the age of every configured workflow's bundles against its schedule.
     */
    public void watch(RotationStatusView view, List<WorkflowConfig> workflows, Clock clock) {
        for (EventType type : EventType.values()) {
            if (!type.isStage()) {
                continue;
            }
            String stage = type.shortName();
            Gauge.builder("reseal.rotations", view, v -> v.count(stage))
                    .description("Rotations known to this producer, by current stage")
                    .tag("stage", stage)
                    .register(registry);
        }
        for (String stage : IN_FLIGHT_STAGES) {
            Gauge.builder("reseal.rotation.stage.oldest", view, v -> v.oldestAt(stage, clock.instant()))
                    .description("How long the oldest rotation now in this stage has been in it (0: none is)")
                    .baseUnit("seconds")
                    .tag("stage", stage)
                    .register(registry);
        }
        Gauge.builder("reseal.rotation.revocations.failed", view, RotationStatusView::revocationsFailed)
                .description("Rotations whose finish failed: the previous credential was not revoked")
                .register(registry);
        for (WorkflowConfig workflow : workflows) {
            Schedule schedule = workflow.schedule() == null ? null
                    : Schedule.of(workflow.schedule(), "workflows." + workflow.name());
            for (String bundle : bundles(workflow)) {
                Gauge.builder("reseal.credential.age", view, v -> v.credentialAges().lastDelivered(workflow, bundle)
                                .map(at -> seconds(Duration.between(at, clock.instant()))).orElse(Double.NaN))
                        .description("Since the bundle was last delivered to every environment of the workflow (NaN: never, as far as retained)")
                        .baseUnit("seconds")
                        .tag("workflow", workflow.name()).tag("bundle", bundle)
                        .register(registry);
                if (schedule != null) {
                    Gauge.builder("reseal.credential.max.age", schedule, s -> maxAge(s, workflow, clock.instant()))
                            .description("The age the bundle's credential may reach: the schedule's period plus its slack")
                            .baseUnit("seconds")
                            .tag("workflow", workflow.name()).tag("bundle", bundle)
                            .strongReference(true) // nothing else holds the schedule
                            .register(registry);
                }
            }
        }
    }

    private static double maxAge(Schedule schedule, WorkflowConfig workflow, Instant now) {
        return schedule.periodAt(now).map(period -> seconds(period.plus(workflow.schedule().slack()))).orElse(Double.NaN);
    }

    private static double seconds(Duration duration) {
        return Math.max(0, duration.toMillis() / 1000.0);
    }

    private static Set<String> bundles(WorkflowConfig workflow) {
        Set<String> bundles = new LinkedHashSet<>(workflow.bundles());
        workflow.environments().values().forEach(env -> bundles.addAll(env.bundles()));
        return bundles;
    }

    /** Everything, in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}

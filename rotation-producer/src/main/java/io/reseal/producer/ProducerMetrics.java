package io.reseal.producer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reseal.pipeline.event.EventType;
import io.reseal.producer.status.RotationStatusView;

/**
 * The producer's metrics, in Prometheus text format, all named {@code reseal_*}: API requests by endpoint
 * and outcome, scheduled fires by workflow, and known rotations by their current stage. Labels hold
 * workflow names and fixed words only, never a token or a requestor. Thread-safe.
 */
public final class ProducerMetrics {

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

    /** Counts a scheduled rotation sent: {@code reseal_schedule_fires_total{workflow}}. */
    public void scheduledFire(String workflow) {
        Counter.builder("reseal.schedule.fires")
                .description("Scheduled rotations requested, including catch-ups")
                .tag("workflow", workflow)
                .register(registry)
                .increment();
    }

    /** Exposes {@code reseal_rotations{stage}}: how many rotations the view knows at each stage. */
    public void watch(RotationStatusView view) {
        for (EventType type : EventType.values()) {
            if (type.isAdoption() || type.isKey()) {
                continue;
            }
            String stage = type.shortName();
            Gauge.builder("reseal.rotations", view, v -> v.count(stage))
                    .description("Rotations known to this producer, by current stage")
                    .tag("stage", stage)
                    .register(registry);
        }
    }

    /** Everything, in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}

package io.reseal.pipeline.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reseal.pipeline.stage.StageListener;
import java.time.Duration;

/**
 * A {@link StageListener} that counts in a Micrometer registry. In Prometheus names:
 * <ul>
 *   <li>{@code reseal_stage_records_consumed_total{stage}}: records taken off the input topic and finished,
 *       whatever the outcome;</li>
 *   <li>{@code reseal_stage_records_succeeded_total{stage}}; {@code reseal_stage_records_failed_total{stage,
 *       reason}} with reason {@code failed} (handling failed) or {@code invalid} (not a valid event);
 *       {@code reseal_stage_records_duplicate_total{stage}} (a rotation the stage had already done);</li>
 *   <li>{@code reseal_stage_latency_seconds{stage}}: handling time of succeeded records, as a histogram;</li>
 *   <li>{@code reseal_stage_retries_total{stage}}: retriable failures;</li>
 *   <li>{@code reseal_failed_topic_records_total{stage, code}}: records written to the failed topic.</li>
 * </ul>
 * Labels hold stage names and fixed error codes only, never event data. Thread-safe; never blocks.
 */
public final class StageMetrics implements StageListener {

    private final MeterRegistry registry;

    public StageMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handled(String stage, String outcome, Duration latency) {
        counter("reseal.stage.records.consumed", "Records taken off the input topic and finished", stage).increment();
        switch (outcome) {
            case "succeeded" -> {
                counter("reseal.stage.records.succeeded", "Records handled successfully", stage).increment();
                Timer.builder("reseal.stage.latency")
                        .description("Time to handle a record successfully, publishing included")
                        .tag("stage", stage)
                        .publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofMillis(5))
                        .maximumExpectedValue(Duration.ofMinutes(2))
                        .register(registry)
                        .record(latency);
            }
            case "duplicate" -> counter("reseal.stage.records.duplicate",
                    "Records of rotations the stage had already done (acknowledged without effect)", stage).increment();
            default -> Counter.builder("reseal.stage.records.failed")
                    .description("Records that failed for good (failed) or were not valid events (invalid)")
                    .tag("stage", stage)
                    .tag("reason", outcome)
                    .register(registry)
                    .increment();
        }
    }

    @Override
    public void retried(String stage) {
        counter("reseal.stage.retries", "Retriable failures; the record is tried again", stage).increment();
    }

    @Override
    public void reportedFailure(String stage, String errorCode) {
        Counter.builder("reseal.failed.topic.records")
                .description("Records written to the failed topic, by error code")
                .tag("stage", stage)
                .tag("code", errorCode)
                .register(registry)
                .increment();
    }

    private Counter counter(String name, String description, String stage) {
        return Counter.builder(name).description(description).tag("stage", stage).register(registry);
    }
}

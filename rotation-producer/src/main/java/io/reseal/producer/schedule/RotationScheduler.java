package io.reseal.producer.schedule;

import io.reseal.pipeline.leadership.Leadership;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationIds;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.producer.ProducerMetrics;
import io.reseal.producer.publish.RequestPublisher;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests the scheduled rotations of every workflow that has a {@code schedule}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>A fire for the scheduled instant {@code t} of workflow {@code w} has the rotation id
 *       {@link RotationIds#scheduled}{@code (w, t)}, and an event id derived from it: two replicas, a restart
 *       or a replay that fire the same slot publish the same event id, which the sealer deduplicates.</li>
 *   <li>Only while {@link Leadership#isLeader()} does it fire. Each time it becomes leader it recovers the
 *       last fired instant per workflow from Kafka ({@link ScheduleHistory}).</li>
 *   <li>After downtime, only the latest missed slot is fired (once), not one per missed interval. A
 *       workflow that never fired is not caught up: its first fire is its first slot after start.</li>
 *   <li>A fire that Kafka does not acknowledge is retried on the next tick.</li>
 * </ul>
 * Time comes only from the injected {@link Clock}; {@link #tick()} does the work and a background thread
 * calls it every second once {@link #start()}ed. Thread-safe. {@link #close()} stops the thread and gives
 * up leadership; it does not close the publisher.
 */
public final class RotationScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotationScheduler.class);

    private final Map<String, Scheduled> workflows = new LinkedHashMap<>();
    private final RequestPublisher publisher;
    private final ScheduleHistory history;
    private final Leadership leadership;
    private final Clock clock;
    private final ProducerMetrics metrics;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reseal-scheduler");
        t.setDaemon(true);
        return t;
    });
    private Map<String, Instant> lastFires;

    /** A scheduled workflow and when it runs. */
    private record Scheduled(WorkflowConfig config, Schedule schedule) {}

    /**
     * @throws IllegalArgumentException if a scheduled workflow has no requestor or an invalid cron expression
     */
    public RotationScheduler(List<WorkflowConfig> workflows, KafkaClients clients, String requestedTopic,
                             RequestPublisher publisher, Leadership leadership, Clock clock, ProducerMetrics metrics) {
        for (WorkflowConfig workflow : workflows) {
            if (workflow.schedule() == null) {
                continue;
            }
            String where = "workflows." + workflow.name();
            if (workflow.requestor() == null) {
                throw new IllegalArgumentException(where + ".requestor is required for a scheduled workflow: "
                        + "it receives the package");
            }
            this.workflows.put(workflow.name(), new Scheduled(workflow, Schedule.of(workflow.schedule(), where)));
        }
        this.history = new ScheduleHistory(clients, requestedTopic);
        this.publisher = publisher;
        this.leadership = leadership;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Ticks every second from now on, on a daemon thread. */
    public void start() {
        if (workflows.isEmpty()) {
            return;
        }
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warn("scheduler tick failed: {}", e.toString());
                LOG.debug("stack trace", e);
            }
        }, 0, 1, TimeUnit.SECONDS);
    }

    /**
     * Fires every slot that is due at the clock's current instant and was not fired yet (waiting for Kafka's
     * acknowledgement), and returns the rotation ids it requested. Does nothing unless leader.
     */
    public synchronized List<String> tick() {
        if (!leadership.isLeader()) {
            lastFires = null;
            return List.of();
        }
        Instant now = clock.instant();
        if (lastFires == null) {
            lastFires = recover(now);
        }
        List<String> fired = new ArrayList<>();
        for (Scheduled scheduled : workflows.values()) {
            String name = scheduled.config().name();
            Instant due = scheduled.schedule().latestAtOrBefore(now).orElse(null);
            Instant last = lastFires.get(name);
            if (due == null || (last != null && !due.isAfter(last))) {
                continue;
            }
            try {
                fired.add(fire(scheduled.config(), due, last));
                lastFires.put(name, due);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("scheduled rotation of {} for {} not acknowledged by Kafka, will retry: {}", name, due,
                        e.toString());
            }
        }
        return fired;
    }

    private Map<String, Instant> recover(Instant now) {
        Map<String, Instant> recovered = new HashMap<>(history.lastFires(now));
        for (Scheduled scheduled : workflows.values()) {
            String name = scheduled.config().name();
            if (!recovered.containsKey(name)) {
                // Never fired: start from now rather than catching up a slot from before the schedule existed.
                scheduled.schedule().latestAtOrBefore(now).ifPresent(slot -> recovered.put(name, slot));
            }
            LOG.info("schedule of {}: last fire {}, next {}", name, recovered.get(name),
                    scheduled.schedule().nextAfter(now).orElse(null));
        }
        return recovered;
    }

    private String fire(WorkflowConfig workflow, Instant due, Instant last) throws Exception {
        String rotationId = RotationIds.scheduled(workflow.name(), due);
        RotationRequested request = new RotationRequested(workflow.name(), List.of(), List.of(), workflow.requestor(),
                "scheduled rotation for " + due, Trigger.SCHEDULED, null);
        RotationEvent<RotationRequested> event = RotationEvent.forRotation(rotationId, EventType.REQUESTED,
                RequestPublisher.SOURCE, workflow.name(), OffsetDateTime.ofInstant(due, ZoneOffset.UTC), request);
        publisher.publish(List.of(event), Map.of(RequestPublisher.HEADER_SCHEDULED_FOR, due.toString()))
                .get(30, TimeUnit.SECONDS);
        metrics.scheduledFire(workflow.name());
        LOG.info("scheduled rotation {} of {} for {} requested{}", rotationId, workflow.name(), due,
                last == null ? "" : " (previous fire " + last + ")");
        return rotationId;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leadership.close();
    }
}

package io.reseal.producer.schedule;

import io.reseal.pipeline.leadership.Leadership;
import io.reseal.pipeline.leadership.LeaseLeadership;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.reseal.embedded.KafkaCluster;
import io.reseal.embedded.KafkaClusterFactory;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.config.WorkflowConfig.ScheduleConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationIds;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicBootstrap;
import io.reseal.pipeline.stage.Topics;
import io.reseal.producer.ProducerMetrics;
import io.reseal.producer.publish.RequestPublisher;
import io.reseal.embedded.MutableClock;
import io.reseal.producer.support.StageTopics;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The scheduler against a real broker, with an injected clock: no test waits for a schedule. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RotationSchedulerIT {

    private static final AtomicInteger WORKFLOWS = new AtomicInteger();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final EventCodec codec = new EventCodec();
    private KafkaCluster kafka;
    private StageTopics topics;
    private RequestPublisher publisher;

    @BeforeAll
    void start() {
        kafka = KafkaClusterFactory.create();
        kafka.start();
        TopicBootstrap.ensure(clients(kafka.bootstrapServers()), Topics.defaults(), 3, (short) 1);
        publisher = new RequestPublisher(clients(kafka.bootstrapServers()), Topics.defaults(), "scheduler-it");
        topics = new StageTopics(kafka.bootstrapServers());
    }

    @AfterEach
    void closeSchedulers() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
    }

    @AfterAll
    void stop() {
        publisher.close();
        topics.close();
        kafka.close();
    }

    /** A workflow of its own for each test, so tests do not see each other's fires on the shared topic. */
    private static WorkflowConfig workflow(ScheduleConfig schedule) {
        return new WorkflowConfig("scheduled-" + WORKFLOWS.incrementAndGet(), "team@example.com", List.of("ghcr"),
                Map.of("dev", new EnvironmentConfig(null, null, null, null)), schedule);
    }

    private RotationScheduler scheduler(WorkflowConfig workflow, Leadership leadership, MutableClock clock) {
        RotationScheduler scheduler = new RotationScheduler(List.of(workflow), clients(kafka.bootstrapServers()),
                Topics.defaults().of(EventType.REQUESTED), publisher, leadership, clock, new ProducerMetrics());
        toClose.add(scheduler);
        return scheduler;
    }

    /** The scheduled requests of {@code workflow} on the requested topic, with their scheduled-for header. */
    private List<Map.Entry<String, RotationEvent<?>>> fires(WorkflowConfig workflow) throws Exception {
        List<Map.Entry<String, RotationEvent<?>>> fires = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : topics.records(EventType.REQUESTED)) {
            if (workflow.name().equals(record.key())) {
                fires.add(Map.entry(EventCodec.header(record, RequestPublisher.HEADER_SCHEDULED_FOR),
                        codec.fromRecord(record)));
            }
        }
        return fires;
    }

    @Test
    void firesAtTheScheduledInstantOfItsTimeZone() throws Exception {
        WorkflowConfig workflow = workflow(new ScheduleConfig("0 6 * * *", "Europe/Berlin", null));
        Instant slot = Instant.parse("2026-01-15T05:00:00Z"); // 06:00 in Berlin
        MutableClock clock = new MutableClock(slot.minus(Duration.ofHours(3)));
        RotationScheduler scheduler = scheduler(workflow, Leadership.always(), clock);

        assertThat(scheduler.tick()).isEmpty();
        clock.set(slot.minusSeconds(1));
        assertThat(scheduler.tick()).isEmpty();
        clock.set(slot);
        List<String> fired = scheduler.tick();
        clock.advance(Duration.ofMinutes(30));
        assertThat(scheduler.tick()).isEmpty();

        String rotationId = RotationIds.scheduled(workflow.name(), slot);
        assertThat(fired).containsExactly(rotationId);
        assertThat(fires(workflow)).singleElement().satisfies(fire -> {
            assertThat(fire.getKey()).isEqualTo("2026-01-15T05:00:00Z");
            RotationEvent<?> event = fire.getValue();
            assertThat(event.id()).isEqualTo(rotationId + ".requested");
            assertThat(event.rotationId()).isEqualTo(rotationId);
            assertThat(event.time().toInstant()).isEqualTo(slot);
            RotationRequested request = event.dataAs(RotationRequested.class);
            assertThat(request.trigger()).isEqualTo(Trigger.SCHEDULED);
            assertThat(request.requestor()).isEqualTo("team@example.com");
        });
    }

    @Test
    void twoInstancesStartOneRotationDownstream() throws Exception {
        WorkflowConfig workflow = workflow(new ScheduleConfig(null, null, Duration.ofHours(1)));
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:30:00Z"));
        RotationScheduler first = scheduler(workflow, Leadership.always(), clock);
        RotationScheduler second = scheduler(workflow, Leadership.always(), clock);
        first.tick();
        second.tick();

        clock.set(Instant.parse("2026-03-01T10:00:00Z"));
        List<String> firstFired = first.tick();
        List<String> secondFired = second.tick();

        assertThat(firstFired).hasSize(1).isEqualTo(secondFired);
        assertThat(fires(workflow)).extracting(fire -> fire.getValue().id())
                .hasSize(2)
                .containsOnly(firstFired.get(0) + ".requested");
    }

    @Test
    void restartAfterMissedFiresCatchesUpExactlyOnce() throws Exception {
        WorkflowConfig workflow = workflow(new ScheduleConfig(null, null, Duration.ofHours(1)));
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:30:00Z"));
        RotationScheduler before = scheduler(workflow, Leadership.always(), clock);
        before.tick();
        clock.set(Instant.parse("2026-03-01T11:00:00Z"));
        assertThat(before.tick()).hasSize(1);
        before.close();

        // down from 11:00 to 14:30: the 12:00, 13:00 and 14:00 fires were missed
        clock.set(Instant.parse("2026-03-01T14:30:00Z"));
        RotationScheduler after = scheduler(workflow, Leadership.always(), clock);
        List<String> caughtUp = after.tick();
        assertThat(after.tick()).isEmpty();
        // another restart before the next slot recovers the catch-up from Kafka and fires nothing
        RotationScheduler again = scheduler(workflow, Leadership.always(), clock);
        assertThat(again.tick()).isEmpty();

        assertThat(caughtUp).containsExactly(RotationIds.scheduled(workflow.name(),
                Instant.parse("2026-03-01T14:00:00Z")));
        assertThat(fires(workflow)).extracting(Map.Entry::getKey)
                .containsExactly("2026-03-01T11:00:00Z", "2026-03-01T14:00:00Z");
    }

    @Test
    void forgedScheduleHeadersDoNotSilenceTheSchedule() throws Exception {
        WorkflowConfig workflow = workflow(new ScheduleConfig(null, null, Duration.ofHours(1)));
        Instant future = Instant.parse("2099-01-01T00:00:00Z");
        OffsetDateTime at = OffsetDateTime.ofInstant(future, ZoneOffset.UTC);
        RotationRequested adHoc = new RotationRequested(workflow.name(), List.of(), List.of(), "evil@example.com",
                "forged", Trigger.AD_HOC, null);
        RotationRequested scheduled = new RotationRequested(workflow.name(), List.of(), List.of(), "team@example.com",
                "scheduled rotation for " + future, Trigger.SCHEDULED, null);
        Map<String, String> header = Map.of(RequestPublisher.HEADER_SCHEDULED_FOR, future.toString());
        // an ad-hoc request with the header, a scheduled one of another source, and a perfect copy of a future fire
        publisher.publish(List.of(RotationEvent.forRotation("forged-1", EventType.REQUESTED, RequestPublisher.SOURCE,
                workflow.name(), at, adHoc)), header).get();
        publisher.publish(List.of(RotationEvent.forRotation(RotationIds.scheduled(workflow.name(), future),
                EventType.REQUESTED, "/hostile", workflow.name(), at, scheduled)), header).get();
        publisher.publish(List.of(RotationEvent.forRotation(RotationIds.scheduled(workflow.name(), future),
                EventType.REQUESTED, RequestPublisher.SOURCE, workflow.name(), at, scheduled)), header).get();

        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:30:00Z"));
        RotationScheduler scheduler = scheduler(workflow, Leadership.always(), clock);
        assertThat(scheduler.tick()).isEmpty();
        clock.set(Instant.parse("2026-03-01T11:00:00Z"));

        assertThat(scheduler.tick()).containsExactly(RotationIds.scheduled(workflow.name(),
                Instant.parse("2026-03-01T11:00:00Z")));
    }

    @Test
    void onlyTheLeaderFiresAndASuccessorTakesOver() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()), false);
        server.init();
        toClose.add(server::destroy);
        KubernetesClient client = server.createClient();
        toClose.add(client);
        WorkflowConfig workflow = workflow(new ScheduleConfig(null, null, Duration.ofHours(1)));
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:30:00Z"));
        Map<String, RotationScheduler> schedulers = new HashMap<>();
        Map<String, Leadership> leaderships = new HashMap<>();
        for (String identity : List.of("replica-a", "replica-b")) {
            Leadership leadership = new LeaseLeadership(client, "reseal", "reseal-scheduler", identity, Duration.ofSeconds(1));
            leaderships.put(identity, leadership);
            schedulers.put(identity, scheduler(workflow, leadership, clock));
        }
        await().until(() -> leaderships.values().stream().filter(Leadership::isLeader).count() == 1);
        String leader = leaderships.get("replica-a").isLeader() ? "replica-a" : "replica-b";
        String follower = leader.equals("replica-a") ? "replica-b" : "replica-a";
        schedulers.values().forEach(RotationScheduler::tick);

        clock.set(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(schedulers.get(follower).tick()).isEmpty();
        assertThat(schedulers.get(leader).tick()).hasSize(1);

        schedulers.get(leader).close(); // releases the Lease
        await().until(() -> leaderships.get(follower).isLeader());
        assertThat(schedulers.get(follower).tick()).as("10:00 was fired by the old leader").isEmpty();
        clock.set(Instant.parse("2026-03-01T11:00:00Z"));
        assertThat(schedulers.get(follower).tick()).hasSize(1);

        assertThat(fires(workflow)).extracting(Map.Entry::getKey)
                .containsExactly("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z");
    }

    private static KafkaClients clients(String bootstrapServers) {
        return new KafkaClients(KafkaConfig.defaults().withBootstrapServers(bootstrapServers));
    }
}

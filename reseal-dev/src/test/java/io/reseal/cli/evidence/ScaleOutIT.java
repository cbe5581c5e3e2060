package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.cli.evidence.EvidenceStack.ExtraConfig;
import io.reseal.cli.evidence.EvidenceStack.Mail;
import io.reseal.cli.evidence.EvidenceStack.Service;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md, "nothing is lost" and "nothing is done twice where it shows", scaled out (docs/operations.md,
 * "Scaling workers"): three replicas of the sealer, the packager and the notifier, each its own JVM
 * ({@code reseal.jar <service>}), the replicas of a worker in its one consumer group, on topics of six partitions.
 * The rotations belong to twelve workflows chosen so that every partition carries two (the record key is the
 * workflow), so every replica has work. Once all nine have joined, N rotations (default 60;
 * {@code -Dreseal.faults.rotations=N}) are requested through the API at about ten a second; while they are in
 * flight, after a random delay ({@code -Dreseal.faults.seed}), the oldest replica of each worker is killed with
 * SIGKILL and not started again: the other two take over its partitions once the group notices.
 *
 * <p>It must end with exactly one sealed, one packaged and one notified event per rotation (read committed),
 * nothing on the failed topic, one archive object per rotation, and every rotation's mail received by its requestor
 * with one Message-ID per rotation (N distinct). As in {@link FaultsIT}: a notifier killed after the SMTP server's
 * "250 OK" but before the commit of its {@code notified} event mails that rotation again from the replica that
 * takes over, with the same Message-ID; it commits the mails it has in hand ({@code kafka.concurrency.notifier},
 * 1 by default) before taking more, so that is at most {@link #REPEATS_PER_KILLED_NOTIFIER} second copies per killed
 * notifier.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ScaleOutIT {

    static final int ROTATIONS = Integer.getInteger("reseal.faults.rotations", 60);
    static final int REPLICAS = 3;
    static final int PARTITIONS = 6;
    /** Mails a notifier killed between an SMTP send and its Kafka commit may cause to arrive twice. */
    static final int REPEATS_PER_KILLED_NOTIFIER = FaultsIT.MAILS_IN_HAND;
    private static final int KILLED_NOTIFIERS = 1;
    private static final String REQUESTOR = "scale-team@example.com";
    private static final List<String> WORKFLOWS = workflowsOnEveryPartition(2);
    private static final List<EventType> STAGE_OUTPUTS = List.of(EventType.SEALED, EventType.PACKAGED, EventType.NOTIFIED);

    @TempDir
    Path dir;

    @Test
    void three_replicas_per_worker_one_of_each_killed_with_sigkill_lose_nothing_and_do_nothing_twice() throws Exception {
        long seed = Long.getLong("reseal.faults.seed", System.nanoTime());
        System.out.println("ScaleOutIT seed " + seed + " (-Dreseal.faults.seed=" + seed + " to repeat)");
        Random random = new Random(seed);
        try (EvidenceStack stack = EvidenceStack.startReplicated(dir, REPLICAS, PARTITIONS, ScaleOutIT::workflows);
             Admin admin = new KafkaClients(stack.config().kafka()).admin(Map.of())) {
            // a group that no replica has joined yet is not found
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> everyGroupHas(admin, REPLICAS));

            CompletableFuture<Long> notifiedAtKill = CompletableFuture.supplyAsync(() -> {
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> !eventsOf(stack, EventType.NOTIFIED).isEmpty());
                    Thread.sleep(random.nextInt(1500));
                    long notified = eventsOf(stack, EventType.NOTIFIED).size();
                    for (Service service : Service.values()) {
                        stack.killProcess(service);
                    }
                    return notified;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted before the kills", e);
                }
            });
            Set<String> requested = new LinkedHashSet<>();
            for (int i = 0; i < ROTATIONS; i++) {
                requested.add(stack.rotate(WORKFLOWS.get(i % WORKFLOWS.size()), List.of("dev"), REQUESTOR,
                        Duration.ofSeconds(60)));
                Thread.sleep(100);
            }
            long notifiedBeforeKills = notifiedAtKill.get(90, TimeUnit.SECONDS);
            System.out.println("ScaleOutIT: one replica of each worker killed after " + notifiedBeforeKills + " of "
                    + ROTATIONS + " rotations were notified");
            assertThat(notifiedBeforeKills).as("rotations notified when the replicas were killed").isLessThan(ROTATIONS);
            // then: each stage's two survivors take over all partitions and finish; 3 s more for anything done twice to show
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(eventsPerRotation(stack, EventType.NOTIFIED).keySet()).as("notified rotations")
                            .containsAll(requested));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> STAGE_OUTPUTS.stream().allMatch(type -> eventsOf(stack, type).size() >= ROTATIONS));

            assertThat(stack.records(EventType.REQUESTED).stream().map(ConsumerRecord::partition).distinct().count())
                    .as("partitions the requested rotations went to").isEqualTo(PARTITIONS);
            assertThat(stack.records(EventType.FAILED)).as("failed records").isEmpty();
            Map<String, Long> oncePerRotation = requested.stream().collect(Collectors.toMap(id -> id, id -> 1L));
            for (EventType type : STAGE_OUTPUTS) {
                assertThat(eventsPerRotation(stack, type)).as(type + " events per rotation").isEqualTo(oncePerRotation);
            }
            List<String> objects = stack.archiveObjectKeys();
            assertThat(objects.stream().collect(Collectors.groupingBy(key -> key.split("/")[1], Collectors.counting())))
                    .as("archive objects per rotation " + objects).isEqualTo(oncePerRotation);
            assertMailedOnce(stack, requested);
            // the dead replicas' partitions moved: each group is down to the two survivors, which hold all of them
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> everyGroupHas(admin, REPLICAS - 1));
        }
    }

    private static void assertMailedOnce(EvidenceStack stack, Set<String> requested) {
        List<Mail> toRequestor = new ArrayList<>();
        for (Mail mail : stack.mails()) {
            if (mail.file().getFileName().toString().endsWith("-" + REQUESTOR + ".eml")) {
                toRequestor.add(mail);
            }
        }
        Map<String, Set<String>> messageIds = toRequestor.stream().collect(Collectors.groupingBy(
                m -> m.header("X-Reseal-Rotation-Id"), Collectors.mapping(m -> m.header("Message-ID"), Collectors.toSet())));
        assertThat(messageIds.keySet()).as("rotations mailed to their requestor").isEqualTo(requested);
        assertThat(messageIds).allSatisfy((rotation, ids) -> assertThat(ids).as("Message-IDs of " + rotation).hasSize(1));
        assertThat(messageIds.values().stream().flatMap(Set::stream).distinct().count()).as("distinct Message-IDs")
                .isEqualTo(ROTATIONS);
        System.out.println("ScaleOutIT: " + (toRequestor.size() - ROTATIONS) + " second copies for the requestor");
        assertThat(toRequestor.size() - ROTATIONS).as("second copies for the requestor")
                .isBetween(0, REPEATS_PER_KILLED_NOTIFIER * KILLED_NOTIFIERS);
    }

    /** The events of type {@code type} on its topic (which may carry other types too). */
    private static List<RotationEvent<?>> eventsOf(EvidenceStack stack, EventType type) {
        return stack.events(type).stream().filter(e -> e.type() == type).toList();
    }

    /** The events of type {@code type}, counted per rotation. */
    private static Map<String, Long> eventsPerRotation(EvidenceStack stack, EventType type) {
        return eventsOf(stack, type).stream().collect(Collectors.groupingBy(RotationEvent::rotationId, Collectors.counting()));
    }

    /** Whether the group of each worker has {@code members} members, which between them hold every partition. */
    private static boolean everyGroupHas(Admin admin, int members) throws Exception {
        List<String> groups = Arrays.stream(Service.values()).map(s -> "reseal-" + s.name().toLowerCase(Locale.ROOT)).toList();
        Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
        return described.values().stream().allMatch(group -> group.members().size() == members
                && group.members().stream().mapToInt(ScaleOutIT::assigned).sum() == PARTITIONS
                && group.members().stream().allMatch(m -> assigned(m) > 0));
    }

    private static int assigned(MemberDescription member) {
        return member.assignment().topicPartitions().size();
    }

    /**
     * Workflow names, {@code perPartition} on each of the {@link #PARTITIONS} partitions of a topic, by the producer's
     * own choice of partition for a record key (the workflow).
     */
    private static List<String> workflowsOnEveryPartition(int perPartition) {
        int[] taken = new int[PARTITIONS];
        List<String> names = new ArrayList<>();
        for (int i = 0; names.size() < PARTITIONS * perPartition; i++) {
            String name = "scale-" + i;
            int partition = BuiltInPartitioner.partitionForKey(name.getBytes(StandardCharsets.UTF_8), PARTITIONS);
            if (taken[partition] < perPartition) {
                taken[partition]++;
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    private static ExtraConfig workflows(EvidenceStack stack) {
        Function<String, String> workflow = name -> """
                - name: %s
                  requestor: %s
                  bundles: [ml-platform]
                  environments:
                    dev: {}
                """.formatted(name, REQUESTOR);
        return new ExtraConfig("", "", WORKFLOWS.stream().map(workflow).collect(Collectors.joining()));
    }
}

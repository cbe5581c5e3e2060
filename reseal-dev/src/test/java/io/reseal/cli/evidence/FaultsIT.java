package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.cli.evidence.EvidenceStack.Mail;
import io.reseal.cli.evidence.EvidenceStack.Service;
import io.reseal.embedded.KafkaBrokerProcess;
import io.reseal.notifier.NotifierStage;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DESIGN.md, "nothing is lost" and "nothing is done twice where it shows", under faults. Each scenario runs
 * N rotations end to end (default 50; {@code -Dreseal.faults.rotations=N}), requested through the API at about
 * ten a second, alternating two workflows, while one thing goes wrong at a random moment:
 * <ul>
 *   <li>the sealer, the packager or the notifier, running as its own JVM ({@code reseal.jar <service>}), is killed with
 *       SIGKILL and started again;</li>
 *   <li>the Kafka broker, a separate JVM, is stopped and started again on the same port and data;</li>
 *   <li>the S3 server is down for 10 s; the SMTP server is down for 10 s.</li>
 * </ul>
 * Every scenario must end with exactly N notified rotations (the ones the API accepted), one archive object
 * per rotation, one e-mail per rotation for its requestor (one Message-ID, one saved copy), and nothing on the
 * failed topic. One exception, which SMTP itself cannot avoid: when the server goes away after it took a message
 * but before the client read its "250 OK", the notifier cannot know the mail arrived and sends it again, with
 * the same Message-ID (the one the mail clients deduplicate on). The same holds when the notifier dies between
 * the server's "250 OK" and the commit of its {@code notified} event (see {@code DeliveryProgress}). The notifier
 * has at most {@code kafka.concurrency.notifier} mails in hand (1 by default, {@link #MAILS_IN_HAND}), so the SMTP
 * outage and the notifier kill allow at most that many such second copies, and still exactly one Message-ID per
 * rotation. Requests the
 * API answers with 503 while the broker is away are retried with the same Idempotency-Key, as a client should.
 * The random seed of each scenario is printed, and can be fixed with {@code -Dreseal.faults.seed}.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
class FaultsIT {

    static final int ROTATIONS = Integer.getInteger("reseal.faults.rotations", 50);
    static final Duration OUTAGE = Duration.ofSeconds(10);
    /** How many mails the notifier has in hand at once: what one crash or one lost "250 OK" burst can repeat. */
    static final int MAILS_IN_HAND = KafkaConfig.defaults().concurrencyOf(NotifierStage.STAGE);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Service.class)
    @Timeout(150)
    void a_worker_process_killed_with_sigkill_and_restarted_loses_nothing(Service service) throws Exception {
        EventType output = switch (service) {
            case SEALER -> EventType.SEALED;
            case PACKAGER -> EventType.PACKAGED;
            case NOTIFIER -> EventType.NOTIFIED;
        };
        try (EvidenceStack stack = EvidenceStack.start(dir, false, Set.of(service))) {
            runWith(stack, random -> {
                await().atMost(Duration.ofSeconds(60)).until(() -> !stack.records(output).isEmpty());
                Thread.sleep(random.nextInt(3000));
                stack.killProcess(service);
                stack.startProcess(service);
            }, service == Service.NOTIFIER ? MAILS_IN_HAND : 0);
        }
    }

    @Test
    @Timeout(150)
    void the_broker_stopped_and_restarted_loses_nothing() throws Exception {
        try (EvidenceStack stack = EvidenceStack.start(dir, true, Set.of())) {
            runWith(stack, random -> {
                Thread.sleep(500 + random.nextInt(3000));
                KafkaBrokerProcess broker = (KafkaBrokerProcess) stack.kafka();
                broker.stop();
                broker.start();
            }, 0);
        }
    }

    @Test
    @Timeout(120)
    void the_s3_server_down_for_ten_seconds_loses_nothing() throws Exception {
        try (EvidenceStack stack = EvidenceStack.start(dir, false, Set.of())) {
            runWith(stack, random -> {
                Thread.sleep(500 + random.nextInt(2000));
                stack.s3().stop();
                Thread.sleep(OUTAGE.toMillis());
                stack.s3().start();
            }, 0);
        }
    }

    @Test
    @Timeout(120)
    void the_smtp_server_down_for_ten_seconds_loses_nothing() throws Exception {
        try (EvidenceStack stack = EvidenceStack.start(dir, false, Set.of())) {
            runWith(stack, random -> {
                Thread.sleep(500 + random.nextInt(2000));
                stack.smtp().stop();
                Thread.sleep(OUTAGE.toMillis());
                stack.smtp().start();
            }, MAILS_IN_HAND);
        }
    }

    /** Something that goes wrong, at a moment drawn from {@code random}. */
    @FunctionalInterface
    interface Fault {
        void strike(Random random) throws Exception;
    }

    /** @param lostOks how many mails may arrive twice because the server went away before its "250 OK" reached us */
    private void runWith(EvidenceStack stack, Fault fault, int lostOks) throws Exception {
        long seed = Long.getLong("reseal.faults.seed", System.nanoTime());
        System.out.println("FaultsIT seed " + seed + " (-Dreseal.faults.seed=" + seed + " to repeat)");
        Random random = new Random(seed);
        CompletableFuture<Void> faulted = CompletableFuture.runAsync(() -> {
            try {
                fault.strike(random);
            } catch (Exception e) {
                throw new IllegalStateException("the fault could not be staged", e);
            }
        });
        Map<String, String> requestorOf = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ROTATIONS; i++) {
            boolean financial = i % 2 == 0;
            String requestor = financial ? EvidenceStack.FINANCIAL_REQUESTOR : EvidenceStack.CREDIT_REQUESTOR;
            String id = stack.rotate(financial ? EvidenceStack.FINANCIAL : EvidenceStack.CREDIT, List.of("dev", "production"),
                    requestor, Duration.ofSeconds(60));
            requestorOf.put(id, requestor);
            Thread.sleep(100);
        }
        faulted.get(90, java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> stack.events(EventType.NOTIFIED).size() >= ROTATIONS);
        Thread.sleep(1000); // anything done twice would show by now

        assertThat(stack.records(EventType.FAILED)).as("failed records").isEmpty();
        List<String> notified = stack.events(EventType.NOTIFIED).stream().map(RotationEvent::rotationId).toList();
        assertThat(notified).as("notified rotations").hasSize(ROTATIONS).containsExactlyInAnyOrderElementsOf(requestorOf.keySet());
        List<String> objects = stack.archiveObjectKeys();
        assertThat(objects).as("archive objects").hasSize(ROTATIONS);
        assertThat(objects.stream().map(key -> key.split("/")[1]).toList()).containsExactlyInAnyOrderElementsOf(requestorOf.keySet());
        List<Mail> toRequestors = new ArrayList<>();
        for (Mail mail : stack.mails()) {
            String rotation = mail.header("X-Reseal-Rotation-Id");
            if (mail.file().getFileName().toString().endsWith("-" + requestorOf.get(rotation) + ".eml")) {
                toRequestors.add(mail);
            }
        }
        Map<String, Long> copiesPerRotation = toRequestors.stream()
                .collect(Collectors.groupingBy(m -> m.header("X-Reseal-Rotation-Id"), Collectors.counting()));
        assertThat(copiesPerRotation).as("rotations mailed to their requestor").hasSize(ROTATIONS);
        assertThat(toRequestors.size() - ROTATIONS).as("second copies for the requestor").isLessThanOrEqualTo(lostOks);
        Map<String, Set<String>> messageIds = toRequestors.stream().collect(Collectors.groupingBy(
                m -> m.header("X-Reseal-Rotation-Id"), Collectors.mapping(m -> m.header("Message-ID"), Collectors.toSet())));
        assertThat(messageIds).allSatisfy((rotation, ids) -> assertThat(ids).as(rotation).hasSize(1));
    }

}

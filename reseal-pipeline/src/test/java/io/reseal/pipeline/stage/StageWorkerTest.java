package io.reseal.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stage loop's failure paths, on Kafka's own client mocks ({@link ReplayingConsumer}, {@link
 * TransactionalMockProducer}): each test is one way a loop can hang, die or double a rotation.
 */
class StageWorkerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final EventCodec codec = new EventCodec();
    private final Topics topics = Topics.defaults();
    private final String input = topics.of(EventType.REQUESTED);
    private final TopicPartition p0 = new TopicPartition(input, 0);
    private final TopicPartition p1 = new TopicPartition(input, 1);
    private final ReplayingConsumer consumer = new ReplayingConsumer();
    private final TransactionalMockProducer producer = new TransactionalMockProducer();
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private StageWorker worker;

    @AfterEach
    void stop() {
        if (worker != null) worker.stop(Duration.ofSeconds(5));
        thread.shutdownNow();
    }

    static Stream<Arguments> sendsThatCanNeverSucceed() {
        return Stream.of(
                Arguments.of((Supplier<RuntimeException>) () -> new RecordTooLargeException(
                        "The message is 2097152 bytes when serialized which is larger than 1048576"), "output-too-large"),
                Arguments.of((Supplier<RuntimeException>) () -> new SerializationException("cannot serialize"),
                        "publish-rejected"),
                Arguments.of((Supplier<RuntimeException>) () -> new TopicAuthorizationException(
                        Set.of(Topics.defaults().of(EventType.NOTIFIED))), "publish-rejected"));
    }

    @ParameterizedTest
    @MethodSource("sendsThatCanNeverSucceed")
    void anOutputThatCanNeverBePublishedEndsAsASmallFailedRecordAndThePartitionGoesOn(
            Supplier<RuntimeException> failure, String code) {
        // given: the output of rot-big can never be written; rot-next comes after it on the same partition
        producer.failSends(record -> isOutputOf(record, "rot-big") ? failure.get() : null);
        append(p0, request("rot-before"));
        append(p0, request("rot-big"));
        append(p0, request("rot-next"));
        // when
        start(new Notifying(), Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 3);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-before", "rot-next");
        List<ProducerRecord<String, byte[]>> failed = committedRecords(EventType.FAILED);
        assertThat(failed).hasSize(1);
        RotationFailed reason = failedData(failed.get(0));
        assertThat(reason.rotationId()).isEqualTo("rot-big");
        assertThat(reason.errorCode()).isEqualTo(code);
        assertThat(reason.originOffset()).isEqualTo(1L);
        assertThat(failed.get(0).value().length).as("a small record").isLessThan(4096);
    }

    @Test
    void anOutputThatFailsForAPassingReasonIsRetriedUntilTheDeadlineThenReported() {
        // given: every send of rot-slow's output fails with a retriable error
        producer.failSends(record -> isOutputOf(record, "rot-slow")
                ? new NotEnoughReplicasException("Messages are rejected since there are fewer in-sync replicas") : null);
        append(p0, request("rot-slow"));
        append(p0, request("rot-next"));
        // when
        start(new Notifying(), new Backoff(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(300)),
                Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 2);
        RotationFailed reason = failedData(committedRecords(EventType.FAILED).get(0));
        assertThat(reason.rotationId()).isEqualTo("rot-slow");
        assertThat(reason.errorCode()).isEqualTo("publish-failed");
        assertThat(reason.message()).contains("gave up", "NotEnoughReplicasException");
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-next");
    }

    @Test
    void aFencedProducerWhilePublishingASuccessEndsTheLoopWithoutAFailedRecord() throws Exception {
        // given
        producer.fenceAtCommit();
        append(p0, request("rot-1"));
        RecordingListener listener = new RecordingListener();
        // when
        Future<?> run = start(new Notifying(), Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger(), listener);
        // then
        await().atMost(PATIENCE).until(run::isDone);
        assertThat(causeOf(run)).isInstanceOf(ProducerFencedException.class);
        assertThat(producer.transactionsBegun()).as("no second transaction on the fenced producer").isEqualTo(1);
        assertThat(producer.attempted()).noneMatch(record -> record.topic().equals(topics.of(EventType.FAILED)));
        assertThat(listener.outcomes).doesNotContain("failed");
    }

    @Test
    void aCommitThatTimesOutIsCommittedAgainAndTheLoopGoesOn() {
        // given: the first two commits time out
        producer.timeOutCommits(2);
        append(p0, request("rot-1"));
        append(p0, request("rot-2"));
        // when
        Future<?> run = start(new Notifying(), Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 2 || run.isDone());
        assertThat(run.isDone()).as("the loop still runs").isFalse();
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-2");
        append(p0, request("rot-3"));
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 3);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-2", "rot-3");
    }

    @Test
    void aDuplicateOfARotationAnotherReplicaFinishedBeforeARebalanceIsNotHandledAgain() {
        // given: this replica starts with partition 1 only; its ledger reads the output topic through `outputs`
        List<ConsumerRecord<String, byte[]>> outputs = new ArrayList<>();
        Supplier<List<ConsumerRecord<String, byte[]>>> tail = () -> {
            synchronized (outputs) {
                List<ConsumerRecord<String, byte[]>> next = List.copyOf(outputs);
                outputs.clear();
                return next;
            }
        };
        Notifying handler = new Notifying();
        consumer.assignOnNextPoll(List.of(p1));
        append(p1, request("rot-warm"));
        startAssigned(handler, Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger(tail, event -> { }));
        await().atMost(PATIENCE).until(() -> committedOffset(p1) == 1);
        // when: the replica that had partition 0 finished rot-x and committed; then partition 0 moves here, where a
        // duplicate request for rot-x is next
        synchronized (outputs) {
            outputs.add(new ConsumerRecord<>(topics.of(EventType.NOTIFIED), 0, 0, "financial-ml",
                    codec.toRecord(topics.of(EventType.NOTIFIED), notified("rot-x")).value()));
        }
        append(p0, request("rot-x"));
        consumer.assignOnNextPoll(List.of(p0, p1));
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 1);
        assertThat(handler.calls).doesNotContainKey("rot-x");
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-warm");
    }

    @Test
    void aRevokedPartitionForgetsItsRetryClock() {
        // given: rot-r fails for a passing reason, again and again, with a 10-minute deadline
        ShiftedClock clock = new ShiftedClock();
        Notifying handler = new Notifying().failing("rot-r");
        append(p0, request("rot-r"));
        start(handler, new Backoff(Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofMinutes(10)), clock,
                new RotationLedger());
        await().atMost(PATIENCE).until(() -> handler.calls.getOrDefault("rot-r", 0) >= 1);
        // when: nine minutes on, the partition is revoked and assigned again; two more minutes on, it fails again
        clock.shift(Duration.ofMinutes(9));
        AtomicBoolean reassigned = new AtomicBoolean();
        consumer.assignOnNextPoll(List.of(p1));
        consumer.assignOnNextPoll(List.of(p0, p1));
        consumer.schedulePollTask(() -> reassigned.set(true));
        await().atMost(PATIENCE).untilTrue(reassigned);
        int before = handler.calls.get("rot-r");
        await().atMost(PATIENCE).until(() -> handler.calls.get("rot-r") >= before + 2);
        clock.shift(Duration.ofMinutes(2));
        int shifted = handler.calls.get("rot-r");
        await().atMost(PATIENCE).until(() -> handler.calls.get("rot-r") >= shifted + 3);
        // then: its clock started again at the new assignment, so it is not past the deadline
        assertThat(producer.attempted()).noneMatch(record -> record.topic().equals(topics.of(EventType.FAILED)));
    }

    @Test
    void aRetryWaitsOnItsOwnPartitionWhileTheOthersAreServed() {
        // given: rot-slow on partition 0 fails for a passing reason, with a first delay of 5-10 s
        Notifying handler = new Notifying().failing("rot-slow");
        append(p0, request("rot-slow"));
        start(handler, new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(10)),
                Clock.systemUTC(), new RotationLedger());
        await().atMost(PATIENCE).until(() -> handler.calls.getOrDefault("rot-slow", 0) == 1);
        // when: a request arrives on partition 1
        append(p1, request("rot-fast"));
        // then: it is served well before rot-slow's retry is due
        await().atMost(Duration.ofSeconds(4)).until(() -> committedOffset(p1) == 1);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-fast");
        assertThat(handler.calls.get("rot-slow")).isEqualTo(1);
    }

    @Test
    void aRetriedRecordIsHandledAgainWhenDueAndTheRecordsAfterItFollowInOrder() {
        // given: rot-1 fails twice for a passing reason
        Notifying handler = new Notifying().failing("rot-1", 2);
        append(p0, request("rot-1"));
        append(p0, request("rot-2"));
        // when
        start(handler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMinutes(1)),
                Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 2);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-2");
        assertThat(handler.calls).containsEntry("rot-1", 3).containsEntry("rot-2", 1);
    }

    @Test
    void aBatchCommitsThePoisonRecordsReportAndTheGoodRecordsInOneTransaction() {
        // given: one poll brings a good request, a record that is not JSON, and another good request
        append(p0, request("rot-1"));
        consumer.append(p0, "x", "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        append(p0, request("rot-3"));
        // when
        start(new Notifying(), Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 3);
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-3");
        assertThat(failedData(committedRecords(EventType.FAILED).get(0)).errorCode()).isEqualTo("invalid-json");
    }

    @Test
    void aRetriableFailureCommitsWhatCameBeforeItAndRewindsOnlyItsPartition() {
        // given: rot-2 fails for a passing reason, between rot-1 and rot-3; rot-4 is on the other partition
        Notifying handler = new Notifying().failing("rot-2");
        append(p0, request("rot-1"));
        append(p0, request("rot-2"));
        append(p0, request("rot-3"));
        append(p1, request("rot-4"));
        // when
        start(handler, new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(10)),
                Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 1 && committedOffset(p1) == 1);
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(committed(EventType.NOTIFIED)).containsExactlyInAnyOrder("rot-1", "rot-4");
        assertThat(handler.calls).doesNotContainKey("rot-3");
    }

    @Test
    void aBatchHoldsAtMostItsMaximumOfRecords() {
        // given
        for (int n = 1; n <= 5; n++) append(p0, request("rot-" + n));
        // when
        consumer.assignOnNextPoll(List.of(p0, p1));
        worker = new StageWorker(consumer, producer, new Notifying(), topics, Backoff.DEFAULT,
                new Batching(2, Duration.ofMinutes(1)), Clock.systemUTC(), StageListener.NONE, new RotationLedger());
        thread.submit(worker);
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 5);
        assertThat(producer.commitCount()).isEqualTo(3);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-2", "rot-3", "rot-4", "rot-5");
    }

    @Test
    void aDuplicateInTheSameBatchIsHandledOnce() {
        // given
        Notifying handler = new Notifying();
        append(p0, request("rot-d"));
        append(p0, request("rot-d"));
        // when
        start(handler, Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 2);
        assertThat(handler.calls).containsEntry("rot-d", 1);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-d");
    }

    @Test
    void theLoopIsLiveWhileItPollsAndNotWhileAHandlerCallHangs() throws Exception {
        // given: a handler that hangs on rot-stuck until released
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Notifying hanging = new Notifying() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                if (event.rotationId().equals("rot-stuck")) {
                    inside.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.handle(event);
            }
        };
        start(hanging, Backoff.DEFAULT, Clock.systemUTC(), new RotationLedger());
        await().atMost(PATIENCE).until(() -> worker.polledWithin(Duration.ofMillis(500)));
        // when
        append(p0, request("rot-stuck"));
        assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
        // then
        await().atMost(PATIENCE).until(() -> !worker.polledWithin(Duration.ofMillis(500)));
        release.countDown();
        await().atMost(PATIENCE).until(() -> worker.polledWithin(Duration.ofMillis(500)));
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-stuck");
    }

    @Test
    void recordsOfABatchAreHandledAtOnceButNeverMoreThanTheConcurrency() {
        // given: each call waits until four calls are in, so calls one after the other would time out and fail
        java.util.concurrent.CountDownLatch fourIn = new java.util.concurrent.CountDownLatch(4);
        Notifying handler = new Notifying().working(rotationId -> {
            fourIn.countDown();
            awaitOrFail(fourIn);
            pause(50);
        });
        for (int n = 1; n <= 8; n++) append(p0, request("rot-" + n));
        // when
        startConcurrent(handler, 4, Backoff.DEFAULT, Clock.systemUTC());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 8);
        assertThat(committedRecords(EventType.FAILED)).isEmpty();
        assertThat(committed(EventType.NOTIFIED)).containsExactly(
                "rot-1", "rot-2", "rot-3", "rot-4", "rot-5", "rot-6", "rot-7", "rot-8");
        assertThat(handler.mostInFlight.get()).isEqualTo(4);
        assertThat(producer.commitCount()).as("one transaction for the batch").isEqualTo(1);
    }

    @Test
    void outputsKeepTheOrderOfTheirInputsWhenLaterRecordsFinishFirst() {
        // given: the earlier a record, the longer its call takes; rot-5 is on the other partition
        Notifying handler = new Notifying().working(rotationId -> pause(switch (rotationId) {
            case "rot-1" -> 400;
            case "rot-2" -> 250;
            case "rot-3" -> 100;
            default -> 0;
        }));
        for (int n = 1; n <= 4; n++) append(p0, request("rot-" + n));
        append(p1, request("rot-5"));
        // when
        startConcurrent(handler, 8, Backoff.DEFAULT, Clock.systemUTC());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 4 && committedOffset(p1) == 1);
        assertThat(committed(EventType.NOTIFIED).stream().filter(id -> !id.equals("rot-5")))
                .containsExactly("rot-1", "rot-2", "rot-3", "rot-4");
        assertThat(handler.mostInFlight.get()).as("the calls overlapped").isGreaterThan(1);
    }

    @Test
    void aPoisonRecordAndAFailingCallFailAloneWhileTheirBatchIsHandledConcurrently() {
        // given: a record that is not JSON and a call that breaks, between good records, all in one poll
        Notifying handler = new Notifying().working(rotationId -> {
            pause(50);
            if (rotationId.equals("rot-bad")) throw new IllegalStateException("broken");
        });
        append(p0, request("rot-1"));
        consumer.append(p0, "x", "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        append(p0, request("rot-bad"));
        append(p0, request("rot-4"));
        // when
        startConcurrent(handler, 4, Backoff.DEFAULT, Clock.systemUTC());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 4);
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-4");
        assertThat(committedRecords(EventType.FAILED).stream().map(record -> failedData(record).errorCode()))
                .containsExactly("invalid-json", "internal-error");
        assertThat(handler.mostInFlight.get()).as("the calls overlapped").isGreaterThan(1);
    }

    @Test
    void aRetriableFailureCommitsWhatCameBeforeItAndTheRecordsAfterItThatFinishedAreHandledAgainInOrder() {
        // given: rot-2 fails once for a passing reason, but only after rot-3 and rot-4 (same partition) finished
        java.util.concurrent.CountDownLatch laterDone = new java.util.concurrent.CountDownLatch(2);
        AtomicBoolean firstCall = new AtomicBoolean(true);
        Notifying handler = new Notifying().failing("rot-2", 1).working(rotationId -> {
            if (rotationId.equals("rot-3") || rotationId.equals("rot-4")) laterDone.countDown();
            if (rotationId.equals("rot-2") && firstCall.getAndSet(false)) awaitOrFail(laterDone);
        });
        for (int n = 1; n <= 4; n++) append(p0, request("rot-" + n));
        append(p1, request("rot-5"));
        ShiftedClock clock = new ShiftedClock();
        // when
        startConcurrent(handler, 4, new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofHours(1)), clock);
        // then: rot-1 (and rot-5 on the other partition) commit; rot-3 and rot-4 were handled but not published
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 1 && committedOffset(p1) == 1);
        assertThat(committed(EventType.NOTIFIED)).containsExactlyInAnyOrder("rot-1", "rot-5");
        assertThat(handler.calls).containsEntry("rot-3", 1).containsEntry("rot-4", 1);
        // when: the retry is due
        clock.shift(Duration.ofMinutes(3));
        // then: rot-2, rot-3, rot-4 follow in order, each published once; rot-3 and rot-4 were handled again
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 4);
        assertThat(committed(EventType.NOTIFIED).stream().filter(id -> !id.equals("rot-5")))
                .containsExactly("rot-1", "rot-2", "rot-3", "rot-4");
        assertThat(handler.calls).containsEntry("rot-2", 2).containsEntry("rot-3", 2).containsEntry("rot-4", 2);
    }

    @Test
    void aDuplicateInTheSameBatchIsHandledOnceEvenWhenTheBatchIsHandledConcurrently() {
        // given: two requests for rot-d with another between them; each call takes a while
        Notifying handler = new Notifying().working(rotationId -> pause(100));
        append(p0, request("rot-d"));
        append(p0, request("rot-other"));
        append(p0, request("rot-d"));
        // when
        startConcurrent(handler, 4, Backoff.DEFAULT, Clock.systemUTC());
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 3);
        assertThat(handler.calls).containsEntry("rot-d", 1);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-d", "rot-other");
    }

    @Test
    void aStageThatCommitsEachRecordHandsOverOnlyAsManyRecordsAsItsConcurrencyPerTransaction() {
        // given
        Notifying handler = new Notifying().working(rotationId -> pause(50));
        for (int n = 1; n <= 6; n++) append(p0, request("rot-" + n));
        // when
        consumer.assignOnNextPoll(List.of(p0, p1));
        worker = new StageWorker(consumer, producer, handler, topics, Backoff.DEFAULT,
                Batching.DEFAULT.withConcurrency(3).inHand(), Clock.systemUTC(), StageListener.NONE, new RotationLedger());
        thread.submit(worker);
        // then
        await().atMost(PATIENCE).until(() -> committedOffset(p0) == 6);
        assertThat(producer.commitCount()).isEqualTo(2);
        assertThat(handler.mostInFlight.get()).isEqualTo(3);
        assertThat(committed(EventType.NOTIFIED)).containsExactly("rot-1", "rot-2", "rot-3", "rot-4", "rot-5", "rot-6");
    }

    // --- helpers

    private void startConcurrent(StageHandler handler, int concurrency, Backoff backoff, Clock clock) {
        consumer.assignOnNextPoll(List.of(p0, p1));
        worker = new StageWorker(consumer, producer, handler, topics, backoff, Batching.DEFAULT.withConcurrency(concurrency),
                clock, StageListener.NONE, new RotationLedger());
        thread.submit(worker);
    }

    private static void awaitOrFail(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) throw new IllegalStateException("the other calls never came");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Future<?> start(StageHandler handler, Backoff backoff, Clock clock, RotationLedger ledger) {
        return start(handler, backoff, clock, ledger, StageListener.NONE);
    }

    private Future<?> start(StageHandler handler, Backoff backoff, Clock clock, RotationLedger ledger,
                            StageListener listener) {
        consumer.assignOnNextPoll(List.of(p0, p1));
        return startAssigned(handler, backoff, clock, ledger, listener);
    }

    private Future<?> startAssigned(StageHandler handler, Backoff backoff, Clock clock, RotationLedger ledger) {
        return startAssigned(handler, backoff, clock, ledger, StageListener.NONE);
    }

    private Future<?> startAssigned(StageHandler handler, Backoff backoff, Clock clock, RotationLedger ledger,
                                    StageListener listener) {
        worker = new StageWorker(consumer, producer, handler, topics, backoff, clock, listener, ledger);
        return thread.submit(worker);
    }

    private void append(TopicPartition partition, RotationEvent<?> event) {
        consumer.append(partition, event.subject(), codec.toRecord(partition.topic(), event).value());
    }

    private boolean isOutputOf(ProducerRecord<String, byte[]> record, String rotationId) {
        return record.topic().equals(topics.of(EventType.NOTIFIED))
                && event(record).rotationId().equals(rotationId);
    }

    private long committedOffset(TopicPartition partition) {
        long offset = -1;
        for (Map<String, Map<TopicPartition, OffsetAndMetadata>> commit : producer.consumerGroupOffsetsHistory()) {
            for (Map<TopicPartition, OffsetAndMetadata> offsets : commit.values()) {
                OffsetAndMetadata next = offsets.get(partition);
                if (next != null) offset = next.offset();
            }
        }
        return offset;
    }

    private List<ProducerRecord<String, byte[]>> committedRecords(EventType type) {
        return producer.history().stream().filter(record -> record.topic().equals(topics.of(type))).toList();
    }

    private List<String> committed(EventType type) {
        return committedRecords(type).stream().map(record -> event(record).rotationId()).toList();
    }

    private RotationFailed failedData(ProducerRecord<String, byte[]> record) {
        return event(record).dataAs(RotationFailed.class);
    }

    private RotationEvent<?> event(ProducerRecord<String, byte[]> record) {
        try {
            return codec.fromRecord(new ConsumerRecord<>(record.topic(), 0, 0, record.key(), record.value()));
        } catch (InvalidEventException e) {
            throw new AssertionError("the loop wrote an invalid event", e);
        }
    }

    private static Throwable causeOf(Future<?> run) throws InterruptedException {
        try {
            run.get(1, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            return e;
        }
    }

    private static RotationEvent<RotationRequested> request(String rotationId) {
        return RotationEvent.forRotation(rotationId, EventType.REQUESTED, "/test", "financial-ml",
                OffsetDateTime.now(ZoneOffset.UTC), new RotationRequested("financial-ml", List.of("dev"), List.of(),
                        "financial-team@example.com", null, Trigger.AD_HOC, null));
    }

    private static RotationEvent<RotationNotified> notified(String rotationId) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return RotationEvent.forRotation(rotationId, EventType.NOTIFIED, "/test", "financial-ml", now,
                new RotationNotified(rotationId, "financial-ml", List.of("a@example.com"), "<m@test>", now.toInstant()));
    }

    /** Turns each request into a "notified" event, counts calls per rotation, and fails the ones it is told to. */
    static class Notifying implements StageHandler {
        final Map<String, Integer> calls = new ConcurrentHashMap<>();
        /** The most calls that were in at the same time. */
        final java.util.concurrent.atomic.AtomicInteger mostInFlight = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        private final Map<String, Integer> failuresLeft = new ConcurrentHashMap<>();
        private java.util.function.Consumer<String> work = rotationId -> { };

        /** Runs {@code work} with the rotation id in each call, before it fails or returns. */
        Notifying working(java.util.function.Consumer<String> work) {
            this.work = work;
            return this;
        }

        Notifying failing(String rotationId) {
            return failing(rotationId, Integer.MAX_VALUE);
        }

        Notifying failing(String rotationId, int times) {
            failuresLeft.put(rotationId, times);
            return this;
        }

        @Override
        public String stage() {
            return "test-stage";
        }

        @Override
        public EventType consumes() {
            return EventType.REQUESTED;
        }

        @Override
        public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                calls.merge(event.rotationId(), 1, Integer::sum);
                work.accept(event.rotationId());
                if (failuresLeft.getOrDefault(event.rotationId(), 0) > 0) {
                    failuresLeft.merge(event.rotationId(), -1, Integer::sum);
                    throw new RetriableStageException("server-down", "S3 unreachable", null);
                }
                return List.of(notified(event.rotationId()));
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    /** The outcomes the loop reported, in order. */
    static final class RecordingListener implements StageListener {
        final List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void handled(String stage, String outcome, Duration latency) {
            outcomes.add(outcome);
        }

        @Override
        public void retried(String stage) {}

        @Override
        public void reportedFailure(String stage, String errorCode) {}
    }

    /** The system clock, shifted forward by what a test says: time passes, and a test can jump ahead. */
    static final class ShiftedClock extends Clock {
        private volatile Duration shift = Duration.ZERO;

        void shift(Duration by) {
            shift = shift.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("always UTC");
        }
    }
}

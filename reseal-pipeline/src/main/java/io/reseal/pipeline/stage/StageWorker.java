package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.TraceParent;
import io.reseal.pipeline.kafka.KafkaClients;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The consume-process-produce loop every worker runs: reads its input topic in a consumer group
 * ({@code read_committed}), hands each event to a {@link StageHandler} (up to {@link Batching#concurrency()} calls at
 * once, one by default), and publishes the
 * handler's events together with the input offsets in one Kafka transaction per batch ({@link Batching}: the
 * records of one poll, bounded in number and time). So an input is marked done exactly when its outputs are
 * visible downstream, and a crash at any point redelivers it. What it guarantees:
 *
 * <ul>
 *   <li>With a concurrency above 1 the handler works on that many records of a batch at once, on threads of its
 *       own; the loop still settles and publishes them in the order read, so outputs keep the order of their inputs
 *       within a partition, and every guarantee below holds as with one call at a time. A record is never handed over
 *       beside an earlier one of its batch with the same {@link StageHandler#doneKey}: the batch is committed first,
 *       so the second is decided against the ledger. Records after a retriable failure on its partition that were
 *       already handled are dropped, not published, and handled again after it.</li>
 *   <li>A record that is not a valid event, or whose handling fails permanently, becomes one record on the failed
 *       topic (with origin and error headers), committed with its batch; the records around it go on.</li>
 *   <li>A retriable handler failure commits what its batch finished before it, rewinds that one partition to the
 *       record and pauses it until the backoff is due, while the loop keeps polling and serving the other
 *       partitions; in order, until {@link Backoff#deadline()} has passed since the record's first failure, then
 *       the rotation is reported as failed.</li>
 *   <li>Outputs Kafka will never take (larger than the broker's record limit, not serialisable, a topic this
 *       principal may not write) make the input a small failed record ({@code output-too-large},
 *       {@code publish-rejected}); a publish failure that may pass is retried like a handler failure and ends as
 *       {@code publish-failed} at the deadline. When a batch does not commit, its records are committed one per
 *       transaction, so one bad output never blocks the good ones.</li>
 *   <li>A commit that times out is committed again (the producer allows nothing else). Fatal Kafka errors (fenced
 *       producer, authorization of the transactional id or group, authentication) end {@link #run()} with the
 *       exception at once, without a failure report on the dead producer.</li>
 *   <li>On a rebalance, revoked and newly assigned partitions forget their retry clocks, and the
 *       {@link RotationLedger} catches up with what other replicas committed, so a duplicate request that
 *       straddles the rebalance is acknowledged without effect.</li>
 *   <li>{@link #polledWithin(Duration)} tells whether the loop made progress recently (its liveness).</li>
 *   <li>{@link #close()} lets the records in hand finish and commits their batch, then stops; it is safe from any
 *       thread.</li>
 *   <li>Every output record carries a W3C {@code traceparent} header: the input's trace with a new parent id,
 *       or a new trace when the input has none. While a record is handled, the logging MDC holds
 *       {@code traceId}, {@code rotationId} and {@code workflow}.</li>
 * </ul>
 * One instance runs on one thread (and its handler on up to {@link Batching#concurrency()} more); scale out by
 * running more instances in the same group.
 */
public final class StageWorker implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);
    public static final String HEADER_ORIGIN_TOPIC = "reseal.origin.topic";
    public static final String HEADER_ORIGIN_PARTITION = "reseal.origin.partition";
    public static final String HEADER_ORIGIN_OFFSET = "reseal.origin.offset";
    public static final String HEADER_ERROR_CLASS = "reseal.error.class";
    public static final String HEADER_ERROR_MESSAGE = "reseal.error.message";

    private final StageHandler handler;
    private final Topics topics;
    private final Backoff backoff;
    private final Batching batching;
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final StageListener listener;
    private final RotationLedger ledger;
    private final OutcomeDecider decider;
    private final OutputTransaction transaction;
    private final PartitionRetries retries;
    /** Where the handler runs: the loop's own thread for a concurrency of 1, else a pool of that many threads. */
    private final Executor handlerThreads;
    /** Partitions rewound and paused during the current poll: their further records wait for the retry. */
    private final Set<TopicPartition> held = new HashSet<>();
    private volatile long lastPollNanos = System.nanoTime();

    /**
     * A worker on clients of its own, built by {@link StageClients}.
     *
     * @param clients the connection and security settings
     * @param groupId the consumer group of this stage (all replicas share it; also the prefix of the transactional id)
     */
    public StageWorker(KafkaClients clients, String groupId, StageHandler handler, Topics topics, Backoff backoff,
                       Clock clock, StageListener listener, RotationLedger ledger) {
        this(StageClients.consumer(clients, groupId, Batching.DEFAULT.maxRecords()),
                StageClients.producer(clients, groupId), handler, topics, backoff, Batching.DEFAULT, clock,
                listener, ledger);
    }

    /** A worker with {@link Batching#DEFAULT} batches. */
    public StageWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, StageHandler handler,
                       Topics topics, Backoff backoff, Clock clock, StageListener listener, RotationLedger ledger) {
        this(consumer, producer, handler, topics, backoff, Batching.DEFAULT, clock, listener, ledger);
    }

    /**
     * @param consumer reads the input topic; not yet subscribed, owned (closed) by this worker
     * @param producer transactional, transactions not yet initialised; owned (closed) by this worker
     * @param listener told about each outcome (metrics); {@link StageListener#NONE} for nothing
     * @param ledger the rotations this stage already finished (see {@link RotationLedger#load}); events of
     *     those are acknowledged without calling the handler
     */
    public StageWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, StageHandler handler,
                       Topics topics, Backoff backoff, Batching batching, Clock clock, StageListener listener,
                       RotationLedger ledger) {
        this.handler = handler;
        this.ledger = ledger;
        this.topics = topics;
        this.backoff = backoff;
        this.batching = batching;
        this.listener = listener;
        this.consumer = consumer;
        this.producer = producer;
        this.decider = new OutcomeDecider(handler, topics, ledger, new FailureReports(handler.stage(), topics, clock));
        this.transaction = new OutputTransaction(producer, consumer, backoff.deadline(), this::stopping);
        this.retries = new PartitionRetries(backoff, clock);
        this.handlerThreads = batching.concurrency() == 1 ? Runnable::run
                : Executors.newFixedThreadPool(batching.concurrency(), handlerThreadFactory(handler.stage()));
    }

    private static ThreadFactory handlerThreadFactory(String stage) {
        AtomicInteger count = new AtomicInteger();
        return work -> {
            Thread thread = new Thread(work, "reseal-" + stage + "-handler-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void run() {
        String input = topics.of(handler.consumes());
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(input), new Rebalances());
            LOG.info("{} consuming {}", handler.stage(), input);
            while (!stopping()) {
                resumeDuePartitions();
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                lastPollNanos = System.nanoTime();
                process(records);
            }
        } catch (WakeupException e) {
            if (!stopping()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("{} stopped by a fatal error: {}", handler.stage(), e.toString());
            throw e;
        } finally {
            if (handlerThreads instanceof ExecutorService pool) pool.shutdownNow();
            closeClients();
            stopped.countDown();
            LOG.info("{} stopped", handler.stage());
        }
    }

    /** Whether the loop polled Kafka within {@code window}: it makes progress, it is not stuck or dead. */
    public boolean polledWithin(Duration window) {
        return stopped.getCount() > 0 && System.nanoTime() - lastPollNanos < window.toNanos();
    }

    private boolean stopping() {
        return stopRequested.getCount() == 0;
    }

    /** Decides the records of one poll, committing them in batches; leaves what it did not take for the next poll. */
    private void process(ConsumerRecords<String, byte[]> records) {
        held.clear();
        Batch batch = new Batch();
        Map<TopicPartition, Long> untaken = new HashMap<>();
        try {
            for (TopicPartition partition : records.partitions()) {
                for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                    if (held.contains(partition)) break;
                    if (stopping() || batch.isFull()) {
                        untaken.putIfAbsent(partition, record.offset());
                        break;
                    }
                    take(record, batch);
                }
            }
            settleAll(batch);
        } catch (Error e) {
            // The handler broke down (the loop ends): what the batch finished before, in order, still counts.
            try {
                commit(batch);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        commit(batch);
        if (!stopping()) {
            untaken.forEach((partition, offset) -> {
                if (!held.contains(partition)) consumer.seek(partition, offset);
            });
        }
    }

    /**
     * Reads the record and hands it to the handler (on the loop's thread when the concurrency is 1, else on a handler
     * thread), then settles, in the order taken, the oldest records in hand until fewer than the concurrency are.
     */
    private void take(ConsumerRecord<String, byte[]> record, Batch batch) {
        TraceParent trace = TraceParent.parse(EventCodec.header(record, TraceParent.HEADER))
                .map(TraceParent::next)
                .orElseGet(TraceParent::start);
        MDC.put("traceId", trace.traceId());
        try {
            OutcomeDecider.Parsed parsed = decider.parse(record, trace);
            String doneKey = parsed.event() == null ? null : handler.doneKey(parsed.event());
            if (batch.names(doneKey)) {
                // A second request for a rotation this batch has in hand or finishes: decide it against the committed
                // ledger, after the first, never beside it.
                settleAll(batch);
                commit(batch);
                batch.clear();
                if (held.contains(partitionOf(record))) return;
            }
            Map<String, String> context = MDC.getCopyOfContextMap();
            batch.take(doneKey, new InHand(parsed, context,
                    CompletableFuture.supplyAsync(() -> decideWithin(context, parsed), handlerThreads)));
            while (batch.inHand() >= batching.concurrency()) settle(batch.oldest(), batch);
        } finally {
            clearContext();
        }
    }

    /** Decides on the thread it is called on, with the logging context of the record. */
    private OutcomeDecider.Decision decideWithin(Map<String, String> context, OutcomeDecider.Parsed parsed) {
        Map<String, String> before = MDC.getCopyOfContextMap();
        if (context != null) MDC.setContextMap(context);
        try {
            return decider.decide(parsed);
        } finally {
            if (before == null) MDC.clear();
            else MDC.setContextMap(before);
        }
    }

    private void settleAll(Batch batch) {
        while (batch.inHand() > 0) settle(batch.oldest(), batch);
    }

    /**
     * Waits for the decision on a record in hand and acts on it: its publication joins the batch, or its retriable
     * failure holds its partition. A record whose partition an earlier record holds is dropped (its work is done
     * again, idempotently, after the retried record), so nothing is published out of order.
     */
    private void settle(InHand inHand, Batch batch) {
        OutcomeDecider.Decision decision;
        try {
            decision = inHand.decision().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) throw error;
            if (e.getCause() instanceof RuntimeException failure) throw failure;
            throw e;
        }
        OutcomeDecider.Parsed parsed = inHand.parsed();
        ConsumerRecord<String, byte[]> record = parsed.input();
        if (held.contains(partitionOf(record))) return;
        if (inHand.context() != null) inHand.context().forEach(MDC::put);
        try {
            if (decision instanceof OutcomeDecider.Publish publish) {
                batch.add(publish.publication());
            } else if (decision instanceof OutcomeDecider.Retry retry) {
                PartitionRetries.Attempt attempt = retries.failed(record);
                if (attempt.givenUp()) {
                    batch.add(decider.gaveUp(parsed, retry.error(), deadline(), attempt.attempts()));
                } else {
                    listener.retried(handler.stage());
                    LOG.warn("{}: rotation {} of {}: {} ({}); attempt {} failed, retrying at {}", handler.stage(),
                            parsed.event().rotationId(), parsed.event().subject(), retry.error().getMessage(),
                            retry.error().code(), attempt.attempts(), attempt.due());
                    hold(record);
                }
            }
        } finally {
            clearContext();
        }
    }

    private static void clearContext() {
        MDC.remove("traceId");
        MDC.remove("rotationId");
        MDC.remove("workflow");
    }

    /** Commits the batch; if it does not commit, commits its publications one per transaction to find the culprit. */
    private void commit(Batch batch) {
        List<Publication> publications = batch.publications();
        if (publications.isEmpty()) return;
        OutputTransaction.Failure failure = transaction.commit(publications);
        if (failure == null) {
            publications.forEach(this::committed);
            return;
        }
        if (publications.size() > 1) {
            LOG.warn("{}: a batch of {} records did not commit ({}); committing them one by one", handler.stage(),
                    publications.size(), failure.cause().toString());
        }
        for (Publication publication : publications) {
            TopicPartition partition = partitionOf(publication.input());
            if (held.contains(partition)) continue;
            OutputTransaction.Failure alone = publications.size() == 1 ? failure : transaction.commit(List.of(publication));
            if (alone == null) {
                committed(publication);
            } else {
                settle(publication, alone);
            }
        }
    }

    /** A publication that did not commit on its own: report it failed for good, or hold its partition for a retry. */
    private void settle(Publication publication, OutputTransaction.Failure failure) {
        if (failure.kind().permanent()) {
            report(decider.unpublishable(publication, failure.kind(), failure.cause(), ""));
            return;
        }
        PartitionRetries.Attempt attempt = retries.failed(publication.input());
        if (attempt.givenUp()) {
            report(decider.unpublishable(publication, PublishFailure.RETRIABLE, failure.cause(),
                    " (gave up after " + deadline() + ")"));
            return;
        }
        listener.retried(handler.stage());
        LOG.warn("{}: record {}-{}@{} could not be published ({}); attempt {} failed, retrying at {}", handler.stage(),
                publication.input().topic(), publication.input().partition(), publication.input().offset(),
                failure.cause().toString(), attempt.attempts(), attempt.due());
        hold(publication.input());
    }

    /** Commits a failed record in place of outputs Kafka did not take; the failed topic refusing it ends the loop. */
    private void report(Publication report) {
        OutputTransaction.Failure failure = transaction.commit(List.of(report));
        if (failure == null) {
            committed(report);
        } else if (failure.kind().permanent()) {
            throw new IllegalStateException("stage " + handler.stage() + " cannot publish to its failed topic "
                    + topics.of(EventType.FAILED) + ": " + failure.cause());
        } else {
            settle(report, failure);
        }
    }

    private void committed(Publication publication) {
        retries.done(publication.input());
        publication.finishes().forEach(ledger::markDone);
        boolean succeeded = "succeeded".equals(publication.outcome());
        listener.handled(handler.stage(), publication.outcome(),
                succeeded ? Duration.ofNanos(System.nanoTime() - publication.startedNanos()) : Duration.ZERO);
        publication.reportedCodes().forEach(code -> listener.reportedFailure(handler.stage(), code));
        if (succeeded) {
            LOG.info("{}: rotation {} of {} done ({} event(s) out)", handler.stage(), publication.rotationId(),
                    publication.event().subject(), publication.outputs().size());
        }
    }

    /** Rewinds the record's partition to it and pauses the partition until its retry is due. */
    private void hold(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = partitionOf(record);
        held.add(partition);
        if (consumer.assignment().contains(partition)) {
            consumer.seek(partition, record.offset());
            consumer.pause(List.of(partition));
        }
    }

    private void resumeDuePartitions() {
        List<TopicPartition> due = new ArrayList<>(retries.due());
        due.retainAll(consumer.assignment());
        if (!due.isEmpty()) consumer.resume(due);
    }

    private String deadline() {
        return backoff.deadline().toString().substring(2).toLowerCase(Locale.ROOT);
    }

    private static TopicPartition partitionOf(ConsumerRecord<?, ?> record) {
        return new TopicPartition(record.topic(), record.partition());
    }

    private void closeClients() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the loop to stop after the records in hand and waits up to {@code timeout} for it. */
    public boolean stop(Duration timeout) {
        stopRequested.countDown();
        consumer.wakeup();
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }

    /** A record handed to the handler: its decision, once made, and the logging context it was read with. */
    private record InHand(OutcomeDecider.Parsed parsed, Map<String, String> context,
                          CompletableFuture<OutcomeDecider.Decision> decision) {}

    /**
     * The records of one transaction, bounded by {@link Batching}: those in hand (taken, not yet settled, in the order
     * taken) and the publications of those settled.
     */
    private final class Batch {
        private final List<Publication> publications = new ArrayList<>();
        private final ArrayDeque<InHand> inHand = new ArrayDeque<>();
        /** The done keys ({@link StageHandler#doneKey}) of the records taken and of the outputs settled. */
        private final Set<String> doneKeys = new HashSet<>();
        private long startedNanos;

        void take(String doneKey, InHand record) {
            if (size() == 0) startedNanos = System.nanoTime();
            if (doneKey != null) doneKeys.add(doneKey);
            inHand.add(record);
        }

        void add(Publication publication) {
            publications.add(publication);
            doneKeys.addAll(publication.finishes());
        }

        int inHand() {
            return inHand.size();
        }

        InHand oldest() {
            return inHand.remove();
        }

        private int size() {
            return publications.size() + inHand.size();
        }

        boolean isFull() {
            return size() >= batching.maxRecords()
                    || (size() > 0 && System.nanoTime() - startedNanos >= batching.maxDuration().toNanos());
        }

        boolean names(String doneKey) {
            return doneKey != null && doneKeys.contains(doneKey);
        }

        List<Publication> publications() {
            return List.copyOf(publications);
        }

        /** Forgets the committed publications; called with nothing in hand. */
        void clear() {
            publications.clear();
            doneKeys.clear();
        }
    }

    /** Keeps retry clocks and the ledger right when partitions move between replicas (called inside poll). */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            retries.forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            retries.forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            retries.forget(partitions);
            if (!partitions.isEmpty()) {
                ledger.catchUp();
                LOG.info("{}: assigned {}; ledger caught up ({} finished rotations known)", handler.stage(),
                        partitions, ledger.size());
            }
        }
    }
}

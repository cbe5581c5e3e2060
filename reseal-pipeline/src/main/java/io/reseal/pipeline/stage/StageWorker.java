package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.TraceParent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The consume-process-produce loop every worker runs: reads its input topic in a consumer group
 * ({@code read_committed}), hands each event to a {@link StageHandler}, and publishes the handler's
 * events together with the input offset in one Kafka transaction. So an input is marked done exactly
 * when its outputs are visible downstream, and a crash at any point redelivers it.
 *
 * <ul>
 *   <li>A record that is not a valid event, or whose handling fails permanently, becomes one record on
 *       the failed topic (with origin and error headers), in the same transaction as its offset; the
 *       loop goes on with the next record.</li>
 *   <li>A retriable failure aborts nothing durable: the partition is rewound to that record, the loop
 *       backs off with jitter and tries again, in order, until {@link Backoff#deadline()} has passed
 *       since the record's first failure; then the rotation is reported as failed.</li>
 *   <li>Fatal Kafka errors (fenced producer, authorization) end {@link #run()} with an exception.</li>
 *   <li>{@link #close()} lets the record in hand finish and commit, then stops; it is safe from any thread.</li>
 *   <li>Every output record carries a W3C {@code traceparent} header: the input's trace with a new parent id,
 *       or a new trace when the input has none. While a record is handled, the logging MDC holds
 *       {@code traceId}, {@code rotationId} and {@code workflow}.</li>
 * </ul>
 * One instance runs on one thread; scale out by running more instances in the same group.
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
    private final Clock clock;
    private final EventCodec codec = new EventCodec();
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final URI source;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final StageListener listener;
    private final RotationLedger ledger;
    /** The record each partition is retrying, if any: partitions take turns, so each keeps its own clock. */
    private final Map<TopicPartition, Retry> retries = new HashMap<>();

    /**
     * A worker on clients of its own, built by {@link StageClients}.
     *
     * @param bootstrapServers Kafka
     * @param groupId the consumer group of this stage (all replicas share it)
     */
    public StageWorker(String bootstrapServers, String groupId, StageHandler handler, Topics topics, Backoff backoff,
                       Clock clock, StageListener listener, RotationLedger ledger) {
        this(StageClients.consumer(bootstrapServers, groupId), StageClients.producer(bootstrapServers, groupId),
                handler, topics, backoff, clock, listener, ledger);
    }

    /**
     * @param consumer reads the input topic; not yet subscribed, owned (closed) by this worker
     * @param producer transactional, transactions not yet initialised; owned (closed) by this worker
     * @param listener told about each outcome (metrics); {@link StageListener#NONE} for nothing
     * @param ledger the rotations this stage already finished (see {@link RotationLedger#load}); events of
     *     those are acknowledged without calling the handler
     */
    public StageWorker(Consumer<String, byte[]> consumer, Producer<String, byte[]> producer, StageHandler handler,
                       Topics topics, Backoff backoff, Clock clock, StageListener listener, RotationLedger ledger) {
        this.handler = handler;
        this.ledger = ledger;
        this.topics = topics;
        this.backoff = backoff;
        this.clock = clock;
        this.listener = listener;
        this.source = URI.create("/reseal/" + handler.stage());
        this.consumer = consumer;
        this.producer = producer;
    }

    @Override
    public void run() {
        String input = topics.of(handler.consumes());
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(input));
            LOG.info("{} consuming {}", handler.stage(), input);
            while (stopRequested.getCount() > 0) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                processBatch(records);
            }
        } catch (WakeupException e) {
            if (stopRequested.getCount() > 0) {
                throw e;
            }
        } catch (ProducerFencedException | OutOfOrderSequenceException | InvalidConfigurationException e) {
            // InvalidConfigurationException covers authentication, authorization and unsupported-version errors
            LOG.error("{} stopped by a fatal Kafka error: {}", handler.stage(), e.toString());
            throw e;
        } finally {
            closeClients();
            stopped.countDown();
            LOG.info("{} stopped", handler.stage());
        }
    }

    private void processBatch(ConsumerRecords<String, byte[]> records) {
        List<TopicPartition> partitions = new ArrayList<>(records.partitions());
        for (int i = 0; i < partitions.size(); i++) {
            for (ConsumerRecord<String, byte[]> record : records.records(partitions.get(i))) {
                if (stopRequested.getCount() == 0 || !process(record)) {
                    // Stopping, or to be retried: rewind this partition to the record, and the untouched ones to their start.
                    consumer.seek(partitions.get(i), record.offset());
                    for (TopicPartition untouched : partitions.subList(i + 1, partitions.size())) {
                        consumer.seek(untouched, records.records(untouched).get(0).offset());
                    }
                    return;
                }
            }
        }
    }

    /** Returns false when the record must be tried again later. */
    private boolean process(ConsumerRecord<String, byte[]> record) {
        TraceParent trace = TraceParent.parse(EventCodec.header(record, TraceParent.HEADER))
                .map(TraceParent::next)
                .orElseGet(TraceParent::start);
        MDC.put("traceId", trace.traceId());
        try {
            return process(record, trace);
        } finally {
            MDC.remove("traceId");
            MDC.remove("rotationId");
            MDC.remove("workflow");
        }
    }

    private boolean process(ConsumerRecord<String, byte[]> record, TraceParent trace) {
        RotationEvent<?> event;
        try {
            event = codec.fromRecord(record);
        } catch (InvalidEventException e) {
            LOG.warn("{}: rejected record {}-{}@{}: {}", handler.stage(), record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return publish(record, trace, List.of(), failure(record, null, e.code(), e.getMessage(), e), "invalid");
        }
        if (event.rotationId() != null) MDC.put("rotationId", event.rotationId());
        if (event.subject() != null) MDC.put("workflow", event.subject());
        if (event.type() != handler.consumes()) {
            String message = "unexpected event type " + event.type().ceType() + " on " + record.topic()
                    + ": this stage reads " + handler.consumes().ceType();
            return publish(record, trace, List.of(), failure(record, event, "unexpected-type", message, null), "invalid");
        }
        if (ledger.isDone(event.rotationId())) {
            LOG.info("{}: rotation {} of {} was already done; event {} acknowledged without effect", handler.stage(),
                    event.rotationId(), event.subject(), event.id());
            return publish(record, trace, List.of(), null, "duplicate");
        }
        long started = System.nanoTime();
        try {
            List<RotationEvent<?>> outputs = handler.handle(event);
            boolean done = publish(record, trace, outputs, null, "succeeded");
            if (done) {
                outputs.stream().filter(o -> o.type() != EventType.FAILED).forEach(o -> ledger.markDone(o.rotationId()));
                listener.handled(handler.stage(), "succeeded", Duration.ofNanos(System.nanoTime() - started));
                LOG.info("{}: rotation {} of {} done ({} event(s) out)", handler.stage(), event.rotationId(),
                        event.subject(), outputs.size());
            }
            return done;
        } catch (PermanentStageException e) {
            LOG.warn("{}: rotation {} of {} failed: {} ({})", handler.stage(), event.rotationId(), event.subject(),
                    e.getMessage(), e.code());
            return publish(record, trace, List.of(), failure(record, event, e.code(), e.getMessage(), e), "failed");
        } catch (RetriableStageException e) {
            return retryOrGiveUp(record, trace, event, e);
        } catch (RuntimeException e) {
            LOG.error("{}: rotation {} of {} failed unexpectedly: {}", handler.stage(), event.rotationId(),
                    event.subject(), e.toString());
            LOG.debug("stack trace", e);
            return publish(record, trace, List.of(), failure(record, event, "internal-error",
                    "unexpected " + e.getClass().getSimpleName() + " in stage " + handler.stage(), e), "failed");
        }
    }

    private boolean retryOrGiveUp(ConsumerRecord<String, byte[]> record, TraceParent trace, RotationEvent<?> event,
                                  RetriableStageException e) {
        Instant now = clock.instant();
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Retry retry = retries.get(partition);
        if (retry == null || !retry.isFor(record)) {
            retry = new Retry(record.topic(), record.partition(), record.offset(), now, 0);
        }
        retry = retry.next();
        retries.put(partition, retry);
        if (Duration.between(retry.firstFailure(), now).compareTo(backoff.deadline()) >= 0) {
            LOG.warn("{}: rotation {} of {} gave up after {} attempts: {}", handler.stage(), event.rotationId(),
                    event.subject(), retry.attempts(), e.getMessage());
            retries.remove(partition);
            return publish(record, trace, List.of(), failure(record, event, e.code(),
                    e.getMessage() + " (gave up after " + backoffDeadline() + ")", e), "failed");
        }
        Duration delay = backoff.delay(retry.attempts());
        listener.retried(handler.stage());
        LOG.warn("{}: rotation {} of {}: {} ({}); attempt {} failed, retrying in {} ms", handler.stage(),
                event.rotationId(), event.subject(), e.getMessage(), e.code(), retry.attempts(), delay.toMillis());
        sleep(delay);
        return false;
    }

    private String backoffDeadline() {
        return backoff.deadline().toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Publishes the outputs, the failure if any, and the offset in one transaction. Returns false if Kafka
     * failed and the record must be processed again.
     */
    private boolean publish(ConsumerRecord<String, byte[]> record, TraceParent trace, List<RotationEvent<?>> outputs,
                            Failure failure, String outcome) {
        List<String> reportedCodes = new ArrayList<>();
        try {
            producer.beginTransaction();
            for (RotationEvent<?> output : outputs) {
                if (output.type() == EventType.FAILED) {
                    // A handler's own failure report (e.g. one rejected recipient): say where it came from.
                    Failure reported = withOrigin(output.dataAs(RotationFailed.class), output, record);
                    ProducerRecord<String, byte[]> out = codec.toRecord(topics.of(EventType.FAILED), reported.event());
                    addOriginHeaders(out, record, reported);
                    send(out, trace);
                    reportedCodes.add(reported.event().data().errorCode());
                } else {
                    send(codec.toRecord(topics.of(output.type()), output), trace);
                }
            }
            if (failure != null) {
                ProducerRecord<String, byte[]> out = codec.toRecord(topics.of(EventType.FAILED), failure.event());
                addOriginHeaders(out, record, failure);
                send(out, trace);
                reportedCodes.add(failure.event().data().errorCode());
            }
            producer.sendOffsetsToTransaction(
                    Map.of(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1)),
                    consumer.groupMetadata());
            producer.commitTransaction();
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (retries.containsKey(partition) && retries.get(partition).isFor(record)) {
                retries.remove(partition);
            }
            if (!"succeeded".equals(outcome)) {
                listener.handled(handler.stage(), outcome, Duration.ZERO);
            }
            reportedCodes.forEach(code -> listener.reportedFailure(handler.stage(), code));
            return true;
        } catch (ProducerFencedException | OutOfOrderSequenceException | InvalidConfigurationException e) {
            throw e; // fatal: includes authorization failures
        } catch (KafkaException e) {
            LOG.warn("{}: could not commit record {}-{}@{} ({}); it will be processed again", handler.stage(),
                    record.topic(), record.partition(), record.offset(), e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailure) {
                LOG.debug("abort failed", abortFailure);
            }
            sleep(backoff.delay(1));
            return false;
        }
    }

    private void send(ProducerRecord<String, byte[]> out, TraceParent trace) {
        out.headers().add(TraceParent.HEADER, utf8(trace.header()));
        producer.send(out);
    }

    private Failure failure(ConsumerRecord<String, byte[]> record, RotationEvent<?> event, String code, String message,
                            Throwable error) {
        String rotationId = event == null ? null : event.rotationId();
        String workflow = event == null ? null : event.subject();
        RotationFailed data = new RotationFailed(handler.stage(), code, message, record.topic(), record.partition(),
                record.offset(), rotationId, workflow);
        String id = "failed." + handler.stage() + "." + record.topic() + "." + record.partition() + "." + record.offset();
        RotationEvent<RotationFailed> failed = new RotationEvent<>(id, source, EventType.FAILED,
                workflow != null ? workflow : record.key(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
                rotationId, data);
        return new Failure(failed, error == null ? "" : error.getClass().getName());
    }

    private static void addOriginHeaders(ProducerRecord<String, byte[]> out, ConsumerRecord<String, byte[]> origin,
                                         Failure failure) {
        out.headers()
                .add(HEADER_ORIGIN_TOPIC, utf8(origin.topic()))
                .add(HEADER_ORIGIN_PARTITION, utf8(Integer.toString(origin.partition())))
                .add(HEADER_ORIGIN_OFFSET, utf8(Long.toString(origin.offset())))
                .add(HEADER_ERROR_CLASS, utf8(failure.errorClass()))
                .add(HEADER_ERROR_MESSAGE, utf8(failure.event().data().message()));
    }

    private static Failure withOrigin(RotationFailed data, RotationEvent<?> event, ConsumerRecord<String, byte[]> origin) {
        RotationFailed located = new RotationFailed(data.stage(), data.errorCode(), data.message(), origin.topic(),
                origin.partition(), origin.offset(), data.rotationId(), data.workflow());
        return new Failure(new RotationEvent<>(event.id(), event.source(), EventType.FAILED, event.subject(), event.time(),
                event.rotationId(), located), "");
    }

    /** A record's failure: the event for the failed topic and the class of the error behind it. */
    private record Failure(RotationEvent<RotationFailed> event, String errorClass) {}

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void sleep(Duration delay) {
        try {
            stopRequested.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested.countDown();
        }
    }

    private void closeClients() {
        try {
            consumer.close(Duration.ofSeconds(5));
        } finally {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the loop to stop after the record in hand and waits up to {@code timeout} for it. */
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

    private record Retry(String topic, int partition, long offset, Instant firstFailure, int attempts) {
        boolean isFor(ConsumerRecord<?, ?> record) {
            return record.topic().equals(topic) && record.partition() == partition && record.offset() == offset;
        }

        Retry next() {
            return new Retry(topic, partition, offset, firstFailure, attempts + 1);
        }
    }
}

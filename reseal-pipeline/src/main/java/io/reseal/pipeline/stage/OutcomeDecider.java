package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.TraceParent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Decides what one input record becomes, without touching Kafka: a record that is not a valid event or not of the
 * stage's type becomes a failed record; a rotation the ledger knows as done becomes nothing; otherwise the handler
 * is called once and its events, or its permanent failure, become the outputs. A retriable failure is handed back
 * as {@link Retry} for the loop to schedule. Puts {@code rotationId} and {@code workflow} into the logging MDC.
 */
final class OutcomeDecider {

    private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);

    private final StageHandler handler;
    private final Topics topics;
    private final RotationLedger ledger;
    private final FailureReports reports;
    private final EventCodec codec = new EventCodec();

    OutcomeDecider(StageHandler handler, Topics topics, RotationLedger ledger, FailureReports reports) {
        this.handler = handler;
        this.topics = topics;
        this.ledger = ledger;
        this.reports = reports;
    }

    /** A record read: its event, or the failed record it becomes because it holds none. */
    record Parsed(ConsumerRecord<String, byte[]> input, TraceParent trace, RotationEvent<?> event, Publication rejected) {}

    /** What a record became: published outputs, or a retriable failure to try again later. */
    sealed interface Decision permits Publish, Retry {}

    record Publish(Publication publication) implements Decision {}

    record Retry(Parsed parsed, RetriableStageException error) implements Decision {}

    Parsed parse(ConsumerRecord<String, byte[]> input, TraceParent trace) {
        long started = System.nanoTime();
        RotationEvent<?> event;
        try {
            event = codec.fromRecord(input);
        } catch (InvalidEventException e) {
            LOG.warn("{}: rejected record {}-{}@{}: {}", handler.stage(), input.topic(), input.partition(),
                    input.offset(), e.getMessage());
            return new Parsed(input, trace, null,
                    reports.failed(input, null, trace, "invalid", e.code(), e.getMessage(), e, started));
        }
        if (event.rotationId() != null) MDC.put("rotationId", event.rotationId());
        if (event.subject() != null) MDC.put("workflow", event.subject());
        if (event.type() != handler.consumes()) {
            String message = "unexpected event type " + event.type().ceType() + " on " + input.topic()
                    + ": this stage reads " + handler.consumes().ceType();
            return new Parsed(input, trace, event,
                    reports.failed(input, event, trace, "invalid", ErrorCode.UNEXPECTED_TYPE.wire(), message, null, started));
        }
        return new Parsed(input, trace, event, null);
    }

    Decision decide(Parsed parsed) {
        if (parsed.rejected() != null) {
            return new Publish(parsed.rejected());
        }
        ConsumerRecord<String, byte[]> input = parsed.input();
        RotationEvent<?> event = parsed.event();
        long started = System.nanoTime();
        if (ledger.isDone(handler.doneKey(event))) {
            LOG.info("{}: rotation {} of {} was already done; event {} acknowledged without effect", handler.stage(),
                    event.rotationId(), event.subject(), event.id());
            return new Publish(new Publication(input, event, parsed.trace(), List.of(), "duplicate", List.of(),
                    List.of(), started));
        }
        List<RotationEvent<?>> outputs;
        try {
            outputs = handler.handle(event);
        } catch (PermanentStageException e) {
            LOG.warn("{}: rotation {} of {} failed: {} ({})", handler.stage(), event.rotationId(), event.subject(),
                    e.getMessage(), e.code());
            return new Publish(reports.failed(input, event, parsed.trace(), "failed", e.code(), e.getMessage(), e,
                    started));
        } catch (RetriableStageException e) {
            return new Retry(parsed, e);
        } catch (RuntimeException e) {
            LOG.error("{}: rotation {} of {} failed unexpectedly: {}", handler.stage(), event.rotationId(),
                    event.subject(), e.toString());
            LOG.debug("stack trace", e);
            return new Publish(reports.failed(input, event, parsed.trace(), "failed", ErrorCode.INTERNAL_ERROR.wire(),
                    "unexpected " + e.getClass().getSimpleName() + " in stage " + handler.stage(), e, started));
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        List<String> codes = new ArrayList<>();
        List<String> finishes = new ArrayList<>();
        for (RotationEvent<?> output : outputs) {
            if (output.type() == EventType.FAILED) {
                records.add(reports.located(output, input, parsed.trace()));
                codes.add(output.dataAs(RotationFailed.class).errorCode());
            } else {
                ProducerRecord<String, byte[]> out = codec.toRecord(topics.of(output.type()), output);
                out.headers().add(TraceParent.HEADER, parsed.trace().header().getBytes(StandardCharsets.UTF_8));
                records.add(out);
                String done = handler.doneKey(output);
                if (done != null) finishes.add(done);
            }
        }
        return new Publish(new Publication(input, event, parsed.trace(), List.copyOf(records), "succeeded",
                List.copyOf(codes), List.copyOf(finishes), started));
    }

    /** The failed record for a retriable failure past its deadline. */
    Publication gaveUp(Parsed parsed, RetriableStageException e, String deadline, int attempts) {
        RotationEvent<?> event = parsed.event();
        LOG.warn("{}: rotation {} of {} gave up after {} attempts: {}", handler.stage(), event.rotationId(),
                event.subject(), attempts, e.getMessage());
        return reports.failed(parsed.input(), event, parsed.trace(), "failed", e.code(),
                e.getMessage() + " (gave up after " + deadline + ")", e, System.nanoTime());
    }

    /** The failed record for an input whose outputs Kafka will not take ({@code kind} permanent, or past the deadline). */
    Publication unpublishable(Publication publication, PublishFailure kind, Throwable cause, String detail) {
        RotationEvent<?> event = publication.event();
        String message = "its output could not be published: " + cause.getClass().getSimpleName() + detail;
        LOG.warn("{}: record {}-{}@{} (rotation {}) reported failed: {}", handler.stage(), publication.input().topic(),
                publication.input().partition(), publication.input().offset(), publication.rotationId(), message);
        return reports.failed(publication.input(), event, publication.trace(), "failed", kind.code().wire(), message, cause,
                publication.startedNanos());
    }
}

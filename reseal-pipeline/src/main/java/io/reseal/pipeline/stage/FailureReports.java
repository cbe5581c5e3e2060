package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.TraceParent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds the records of the failed topic: one per input that failed for good, with the reason, the error code
 * and where the input was (in the event and in {@code reseal.origin.*} / {@code reseal.error.*} headers). A report
 * holds the stage, code, message and origin only, never the input's payload, so it stays small.
 */
final class FailureReports {

    private final String stage;
    private final URI source;
    private final Topics topics;
    private final Clock clock;
    private final EventCodec codec = new EventCodec();

    FailureReports(String stage, Topics topics, Clock clock) {
        this.stage = stage;
        this.source = URI.create("/reseal/" + stage);
        this.topics = topics;
        this.clock = clock;
    }

    /** The input, reported failed with {@code code}: its only output. {@code event} is null for an invalid record. */
    Publication failed(ConsumerRecord<String, byte[]> input, RotationEvent<?> event, TraceParent trace, String outcome,
                       String code, String message, Throwable error, long startedNanos) {
        String rotationId = event == null ? null : event.rotationId();
        String workflow = event == null ? null : event.subject();
        RotationFailed data = new RotationFailed(stage, code, message, input.topic(), input.partition(),
                input.offset(), rotationId, workflow);
        String id = "failed." + stage + "." + input.topic() + "." + input.partition() + "." + input.offset();
        RotationEvent<RotationFailed> failed = new RotationEvent<>(id, source, EventType.FAILED,
                workflow != null ? workflow : input.key(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC),
                rotationId, data);
        ProducerRecord<String, byte[]> out = report(failed, input, error == null ? "" : error.getClass().getName(), trace);
        return new Publication(input, event, trace, List.of(out), outcome, List.of(code), List.of(), startedNanos);
    }

    /** A handler's own failure report (e.g. one rejected recipient), placed where its input came from. */
    ProducerRecord<String, byte[]> located(RotationEvent<?> output, ConsumerRecord<String, byte[]> input, TraceParent trace) {
        RotationFailed data = output.dataAs(RotationFailed.class);
        RotationFailed located = new RotationFailed(data.stage(), data.errorCode(), data.message(), input.topic(),
                input.partition(), input.offset(), data.rotationId(), data.workflow());
        return report(new RotationEvent<>(output.id(), output.source(), EventType.FAILED, output.subject(),
                output.time(), output.rotationId(), located), input, "", trace);
    }

    private ProducerRecord<String, byte[]> report(RotationEvent<RotationFailed> failed, ConsumerRecord<String, byte[]> input,
                                                  String errorClass, TraceParent trace) {
        ProducerRecord<String, byte[]> out = codec.toRecord(topics.of(EventType.FAILED), failed);
        out.headers()
                .add(StageWorker.HEADER_ORIGIN_TOPIC, utf8(input.topic()))
                .add(StageWorker.HEADER_ORIGIN_PARTITION, utf8(Integer.toString(input.partition())))
                .add(StageWorker.HEADER_ORIGIN_OFFSET, utf8(Long.toString(input.offset())))
                .add(StageWorker.HEADER_ERROR_CLASS, utf8(errorClass))
                .add(StageWorker.HEADER_ERROR_MESSAGE, utf8(failed.data().message()))
                .add(TraceParent.HEADER, utf8(trace.header()));
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.TraceParent;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What one input record became, ready to be committed with its offset.
 *
 * @param input the record read
 * @param event the event it holds, {@code null} when it is not a valid event
 * @param trace the trace its outputs carry
 * @param outputs the records to publish (outputs, failure reports), possibly none
 * @param outcome how the listener counts it: {@code succeeded}, {@code failed}, {@code invalid}, {@code duplicate}
 * @param reportedCodes the error codes of the failed records among {@code outputs}
 * @param finishes the rotations (or requests, {@link StageHandler#doneKey}) the ledger marks done once this is committed
 * @param startedNanos when handling began ({@link System#nanoTime()}), for the latency of a success
 */
record Publication(ConsumerRecord<String, byte[]> input, RotationEvent<?> event, TraceParent trace,
                   List<ProducerRecord<String, byte[]>> outputs, String outcome, List<String> reportedCodes,
                   List<String> finishes, long startedNanos) {

    String rotationId() {
        return event == null ? null : event.rotationId();
    }
}

package io.reseal.pipeline.stage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits publications in one Kafka transaction: all their outputs and, per partition, the offset after the last
 * input. Either all of it becomes visible or none. A commit that times out is committed again, as the producer
 * requires (it may not be aborted then), for up to the retry deadline. Any other failure aborts the transaction and is
 * returned, sorted by {@link PublishFailure}; a {@link PublishFailure#FATAL} one is thrown instead, as is a commit
 * that kept timing out (an {@link IllegalStateException}: nothing more can be done with this producer).
 */
final class OutputTransaction {

    private static final Logger LOG = LoggerFactory.getLogger(StageWorker.class);

    private final Producer<String, byte[]> producer;
    private final Consumer<String, byte[]> consumer;
    private final Duration commitPatience;
    private final BooleanSupplier stopping;

    OutputTransaction(Producer<String, byte[]> producer, Consumer<String, byte[]> consumer, Duration commitPatience,
                      BooleanSupplier stopping) {
        this.producer = producer;
        this.consumer = consumer;
        this.commitPatience = commitPatience;
        this.stopping = stopping;
    }

    /** Why a transaction did not commit; {@code null} from {@link #commit} when it did. */
    record Failure(PublishFailure kind, Throwable cause) {}

    Failure commit(List<Publication> publications) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        try {
            producer.beginTransaction();
            for (Publication publication : publications) {
                for (ProducerRecord<String, byte[]> output : publication.outputs()) {
                    sends.add(producer.send(output));
                }
                offsets.put(new TopicPartition(publication.input().topic(), publication.input().partition()),
                        new OffsetAndMetadata(publication.input().offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            commitUntilNoTimeout();
            return null;
        } catch (KafkaException e) {
            Throwable cause = failedSend(sends);
            if (cause == null) cause = e;
            PublishFailure kind = PublishFailure.of(e) == PublishFailure.FATAL ? PublishFailure.FATAL : PublishFailure.of(cause);
            if (kind == PublishFailure.FATAL) {
                throw e;
            }
            abort();
            return new Failure(kind, cause);
        }
    }

    private void commitUntilNoTimeout() {
        long giveUp = System.nanoTime() + commitPatience.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                producer.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (stopping.getAsBoolean() || System.nanoTime() - giveUp >= 0) {
                    throw new IllegalStateException("a transaction commit kept timing out (" + attempt
                            + " attempts); its outcome is unknown and the producer cannot go on", e);
                }
                LOG.warn("transaction commit timed out (attempt {}); committing the same transaction again", attempt);
            }
        }
    }

    private void abort() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            if (PublishFailure.of(e) == PublishFailure.FATAL) throw e;
            LOG.debug("abort failed", e);
        }
    }

    /** The error of the first send that has already failed, if any. */
    private static Throwable failedSend(List<Future<RecordMetadata>> sends) {
        for (Future<RecordMetadata> send : sends) {
            if (send.isDone()) {
                try {
                    send.get();
                } catch (ExecutionException e) {
                    return e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                } catch (java.util.concurrent.CancellationException e) {
                    // not an error of its own
                }
            }
        }
        return null;
    }
}

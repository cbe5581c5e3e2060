package io.reseal.pipeline.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's {@link MockProducer} with the transaction rules of the real {@code KafkaProducer} that the mock leaves
 * out, as its Javadoc states them:
 * <ul>
 *   <li>a send that fails puts the transaction in an abortable error state: the send's future fails, and
 *       {@code sendOffsetsToTransaction} and {@code commitTransaction} then throw a {@link KafkaException} caused by
 *       it, until {@code abortTransaction};</li>
 *   <li>after {@code commitTransaction} throws a {@link TimeoutException}, the only allowed call is
 *       {@code commitTransaction} again ({@code abortTransaction} and the rest throw {@link IllegalStateException});</li>
 *   <li>a fenced producer throws {@link ProducerFencedException} from every call.</li>
 * </ul>
 * Thread-safe like the mock.
 */
final class TransactionalMockProducer extends MockProducer<String, byte[]> {

    private volatile Function<ProducerRecord<String, byte[]>, RuntimeException> sendFailure = record -> null;
    private final AtomicInteger commitTimeouts = new AtomicInteger();
    private volatile boolean fenceAtCommit;
    private volatile boolean commitMustBeRetried;
    private RuntimeException transactionError;
    private final AtomicInteger transactionsBegun = new AtomicInteger();
    private final List<ProducerRecord<String, byte[]>> attempted = new ArrayList<>();

    TransactionalMockProducer() {
        super(true, null, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends for which {@code failure} returns an exception fail with it (e.g. a record too large for the broker). */
    void failSends(Function<ProducerRecord<String, byte[]>, RuntimeException> failure) {
        this.sendFailure = failure;
    }

    /** The next {@code count} commits time out (the transaction stays open, to be committed again). */
    void timeOutCommits(int count) {
        commitTimeouts.set(count);
    }

    /** The next commit finds the producer fenced by a newer instance with the same transactional id. */
    void fenceAtCommit() {
        fenceAtCommit = true;
    }

    /** How often {@code beginTransaction} was called, whether or not it threw. */
    int transactionsBegun() {
        return transactionsBegun.get();
    }

    /** Every record given to {@code send}, committed or not. */
    synchronized List<ProducerRecord<String, byte[]>> attempted() {
        return List.copyOf(attempted);
    }

    @Override
    public void beginTransaction() {
        transactionsBegun.incrementAndGet();
        mustNotAwaitCommitRetry("beginTransaction");
        super.beginTransaction();
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        mustNotAwaitCommitRetry("send");
        attempted.add(record);
        RuntimeException failure = sendFailure.apply(record);
        if (failure == null) {
            return super.send(record, callback);
        }
        transactionError = failure;
        if (callback != null) callback.onCompletion(null, failure);
        return CompletableFuture.failedFuture(failure);
    }

    @Override
    public synchronized void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                                      ConsumerGroupMetadata groupMetadata) {
        mustNotAwaitCommitRetry("sendOffsetsToTransaction");
        failIfInErrorState();
        super.sendOffsetsToTransaction(offsets, groupMetadata);
    }

    @Override
    public synchronized void commitTransaction() {
        if (fenceAtCommit) {
            fenceProducer();
            super.commitTransaction();
        }
        failIfInErrorState();
        if (commitTimeouts.getAndUpdate(n -> Math.max(n - 1, 0)) > 0) {
            commitMustBeRetried = true;
            throw new TimeoutException("Timeout expired after 30000ms while awaiting EndTxn(true)");
        }
        commitMustBeRetried = false;
        super.commitTransaction();
    }

    @Override
    public synchronized void abortTransaction() {
        mustNotAwaitCommitRetry("abortTransaction");
        transactionError = null;
        super.abortTransaction();
    }

    private void failIfInErrorState() {
        if (transactionError != null) {
            throw new KafkaException("Cannot execute transactional method because we are in an error state",
                    transactionError);
        }
    }

    private void mustNotAwaitCommitRetry(String method) {
        if (commitMustBeRetried) {
            throw new IllegalStateException("Cannot attempt operation `" + method + "` because the previous call to "
                    + "`commitTransaction` timed out and must be retried");
        }
    }
}

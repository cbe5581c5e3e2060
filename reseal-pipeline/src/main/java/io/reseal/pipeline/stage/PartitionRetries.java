package io.reseal.pipeline.stage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The record each partition is retrying, if any: when it first failed, how often, and when it is due again. Each
 * partition keeps its own clock; a record that commits, or a partition that leaves this worker, forgets it.
 * Used from the loop's thread only.
 */
final class PartitionRetries {

    private final Backoff backoff;
    private final Clock clock;
    private final Map<TopicPartition, Retry> retries = new HashMap<>();

    PartitionRetries(Backoff backoff, Clock clock) {
        this.backoff = backoff;
        this.clock = clock;
    }

    /**
     * One more failure of {@code record}.
     *
     * @param attempts how often it failed, this time included
     * @param due when to try again; {@code null} when the deadline has passed and it is to be given up
     */
    record Attempt(int attempts, Instant due) {
        boolean givenUp() {
            return due == null;
        }
    }

    Attempt failed(ConsumerRecord<?, ?> record) {
        Instant now = clock.instant();
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Retry retry = retries.get(partition);
        if (retry == null || retry.offset() != record.offset()) {
            retry = new Retry(record.offset(), now, 0, null);
        }
        int attempts = retry.attempts() + 1;
        if (Duration.between(retry.firstFailure(), now).compareTo(backoff.deadline()) >= 0) {
            retries.remove(partition);
            return new Attempt(attempts, null);
        }
        Instant due = now.plus(backoff.delay(attempts));
        retries.put(partition, new Retry(record.offset(), retry.firstFailure(), attempts, due));
        return new Attempt(attempts, due);
    }

    /** The partitions whose record is due again now (each returned once per failure). */
    List<TopicPartition> due() {
        Instant now = clock.instant();
        List<TopicPartition> due = new ArrayList<>();
        retries.replaceAll((partition, retry) -> {
            if (retry.due() != null && !now.isBefore(retry.due())) {
                due.add(partition);
                return new Retry(retry.offset(), retry.firstFailure(), retry.attempts(), null);
            }
            return retry;
        });
        return due;
    }

    /** {@code record} is done (committed): its partition has nothing to retry. */
    void done(ConsumerRecord<?, ?> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Retry retry = retries.get(partition);
        if (retry != null && retry.offset() == record.offset()) retries.remove(partition);
    }

    /** Forgets the partitions (revoked, lost, or newly assigned): a new owner starts its own clock. */
    void forget(Collection<TopicPartition> partitions) {
        partitions.forEach(retries::remove);
    }

    private record Retry(long offset, Instant firstFailure, int attempts, Instant due) {}
}

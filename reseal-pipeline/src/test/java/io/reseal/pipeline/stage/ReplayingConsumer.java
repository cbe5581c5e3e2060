package io.reseal.pipeline.stage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's {@link MockConsumer} over a log that is kept, as a broker keeps it: a {@code seek} back delivers the
 * records from there again (the plain mock forgets a record once polled). An empty poll waits a few milliseconds,
 * as a real poll blocks, so a loop on it does not spin. Records are appended from any thread.
 */
final class ReplayingConsumer extends MockConsumer<String, byte[]> {

    private final Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> log = new HashMap<>();
    /** Per partition, the offset up to which records were handed to the mock since its last seek or rebalance. */
    private final Map<TopicPartition, Long> staged = new HashMap<>();

    ReplayingConsumer() {
        super("earliest");
    }

    /** Appends a record to partition {@code partition.partition()} of the log at the next offset. */
    synchronized ConsumerRecord<String, byte[]> append(TopicPartition partition, String key, byte[] value) {
        List<ConsumerRecord<String, byte[]>> records = log.computeIfAbsent(partition, p -> new ArrayList<>());
        ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(partition.topic(), partition.partition(),
                records.size(), key, value);
        records.add(record);
        return record;
    }

    /** Assigns {@code partitions} (the group's decision) with the rebalance callbacks, on the next poll. */
    void assignOnNextPoll(Collection<TopicPartition> partitions) {
        schedulePollTask(() -> {
            rebalance(partitions);
            Map<TopicPartition, Long> beginnings = new HashMap<>();
            partitions.forEach(p -> beginnings.put(p, 0L));
            updateBeginningOffsets(beginnings);
        });
    }

    @Override
    public ConsumerRecords<String, byte[]> poll(Duration timeout) {
        ConsumerRecords<String, byte[]> records;
        synchronized (this) {
            for (TopicPartition partition : assignment()) {
                List<ConsumerRecord<String, byte[]>> records0 = log.getOrDefault(partition, List.of());
                long from = staged.getOrDefault(partition, 0L);
                for (long offset = from; offset < records0.size(); offset++) {
                    addRecord(records0.get((int) offset));
                }
                staged.put(partition, (long) records0.size());
            }
            records = super.poll(timeout);
        }
        if (records.isEmpty()) {
            try {
                Thread.sleep(Math.min(timeout.toMillis(), 5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return records;
    }

    @Override
    public synchronized void seek(TopicPartition partition, long offset) {
        super.seek(partition, offset);
        staged.put(partition, offset);
    }

    @Override
    public synchronized void rebalance(Collection<TopicPartition> newAssignment) {
        staged.clear();
        super.rebalance(newAssignment);
    }
}

package io.reseal.producer.schedule;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationIds;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.publish.RequestPublisher;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The last scheduled instant fired for each workflow, as recorded on the requested topic: the scheduler
 * marks every scheduled request with the {@value RequestPublisher#HEADER_SCHEDULED_FOR} header, and this
 * reads the whole topic, believing the header only on a valid scheduled request of the producer (see
 * {@link #scheduledFire}) (every partition, from the beginning up to its end at call time, no consumer
 * group) keeping the latest instant per record key (= workflow). So the memory of fires is Kafka itself:
 * it survives restarts and moves with leadership, for as long as the topic retains the records. Cost is one
 * scan of the topic, paid when a replica becomes leader. Thread-safe (opens a consumer per call).
 */
final class ScheduleHistory {

    private final KafkaClients clients;
    private final String topic;

    ScheduleHistory(KafkaClients clients, String topic) {
        this.clients = clients;
        this.topic = topic;
    }

    /** The latest slot per workflow that a valid scheduled request of the producer fired, none after {@code now}. */
    Map<String, Instant> lastFires(Instant now) {
        EventCodec codec = new EventCodec();
        Map<String, Object> props = Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.CLIENT_ID_CONFIG, "reseal-schedule-history");
        Map<String, Instant> last = new HashMap<>();
        try (Consumer<String, byte[]> consumer = clients.consumer(null, props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    scheduledFire(codec, record, now)
                            .ifPresent(slot -> last.merge(record.key(), slot, (a, b) -> a.isAfter(b) ? a : b));
                }
            }
        }
        return last;
    }

    /**
     * The slot {@code record} fired, if it is what {@link RotationScheduler} writes: a requested event of the
     * producer, trigger {@code scheduled}, keyed and about the workflow, timed at the slot its header names, with
     * the rotation id of that slot, and the slot not in the future. Anything else on the topic (a forged header,
     * an API request, a record of another writer) says nothing about the schedule.
     */
    static Optional<Instant> scheduledFire(EventCodec codec, ConsumerRecord<String, byte[]> record, Instant now) {
        String header = EventCodec.header(record, RequestPublisher.HEADER_SCHEDULED_FOR);
        if (header == null || record.key() == null) {
            return Optional.empty();
        }
        Instant slot;
        RotationEvent<?> event;
        try {
            slot = Instant.parse(header);
            event = codec.fromRecord(record);
        } catch (DateTimeException | InvalidEventException e) {
            return Optional.empty();
        }
        if (event.type() != EventType.REQUESTED || !RequestPublisher.SOURCE.equals(event.source().toString())
                || !(event.data() instanceof RotationRequested request)) {
            return Optional.empty();
        }
        boolean valid = request.trigger() == Trigger.SCHEDULED
                && record.key().equals(request.workflow()) && record.key().equals(event.subject())
                && event.time().toInstant().equals(slot)
                && RotationIds.scheduled(request.workflow(), slot).equals(event.rotationId())
                && !slot.isAfter(now);
        return valid ? Optional.of(slot) : Optional.empty();
    }
}

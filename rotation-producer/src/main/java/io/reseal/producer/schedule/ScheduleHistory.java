package io.reseal.producer.schedule;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.producer.publish.RequestPublisher;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The last scheduled instant fired for each workflow, as recorded on the requested topic: the scheduler
 * marks every scheduled request with the {@value RequestPublisher#HEADER_SCHEDULED_FOR} header, and this
 * reads the whole topic (every partition, from the beginning up to its end at call time, no consumer
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

    Map<String, Instant> lastFires() {
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
                    String scheduledFor = EventCodec.header(record, RequestPublisher.HEADER_SCHEDULED_FOR);
                    if (scheduledFor != null && record.key() != null) {
                        try {
                            last.merge(record.key(), Instant.parse(scheduledFor), (a, b) -> a.isAfter(b) ? a : b);
                        } catch (DateTimeException e) {
                            // not written by the scheduler: ignore
                        }
                    }
                }
            }
        }
        return last;
    }
}

package io.reseal.producer.schedule;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.producer.publish.RequestPublisher;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The last scheduled instant fired for each workflow, as recorded on the requested topic: the scheduler
 * marks every scheduled request with the {@value RequestPublisher#HEADER_SCHEDULED_FOR} header, and this
 * reads the whole topic (every partition, from the beginning up to its end at call time, no consumer
 * group) keeping the latest instant per record key (= workflow). So the memory of fires is Kafka itself:
 * it survives restarts and moves with leadership, for as long as the topic retains the records. Cost is one
 * scan of the topic, paid when a replica becomes leader. Thread-safe (opens a consumer per call).
 */
final class ScheduleHistory {

    private final String bootstrapServers;
    private final String topic;

    ScheduleHistory(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
    }

    Map<String, Instant> lastFires() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "reseal-schedule-history");
        Map<String, Instant> last = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
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

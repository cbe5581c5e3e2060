package io.reseal.producer.support;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.stage.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test access to the stage topics: write events as a worker would, read everything a topic holds. */
public final class StageTopics implements AutoCloseable {

    private final String bootstrapServers;
    private final Topics topics = Topics.defaults();
    private final EventCodec codec = new EventCodec();
    private final KafkaProducer<String, byte[]> producer;

    public StageTopics(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes {@code event} on its type's topic and waits for the acknowledgement. */
    public void write(RotationEvent<?> event) throws Exception {
        producer.send(codec.toRecord(topics.of(event.type()), event)).get();
    }

    /** Every record on the topic of {@code type}, up to its end now. */
    public List<ConsumerRecord<String, byte[]>> records(EventType type) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.of(type)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }

    /** Every event on the topic of {@code type}, decoded. */
    public List<RotationEvent<?>> events(EventType type) throws InvalidEventException {
        List<RotationEvent<?>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records(type)) {
            events.add(codec.fromRecord(record));
        }
        return events;
    }

    @Override
    public void close() {
        producer.close();
    }
}

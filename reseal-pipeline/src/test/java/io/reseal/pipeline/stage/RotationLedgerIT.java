package io.reseal.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationNotified;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The ledger on a real broker: loaded once, then caught up with only what was committed since. */
class RotationLedgerIT {

    private final EventCodec codec = new EventCodec();

    @Test
    void catchingUpReadsOnlyWhatWasCommittedSinceTheLastRead() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka()) {
            kafka.start();
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            Map<EventType, String> names = new EnumMap<>(EventType.class);
            for (EventType type : EventType.values()) if (type.carrier() == type) names.put(type, type.defaultTopic() + "." + suffix);
            Topics topics = Topics.withOverrides(names);
            KafkaClients clients = new KafkaClients(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()));
            TopicBootstrap.ensure(clients, topics, 2, (short) 1);
            String topic = topics.of(EventType.NOTIFIED);
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<String, byte[]> producer =
                         new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
                producer.send(codec.toRecord(topic, notified("rot-1"))).get();
                List<String> history = new CopyOnWriteArrayList<>();
                // given
                RotationLedger ledger = RotationLedger.load(clients, topic,
                        event -> history.add(event.rotationId()));
                assertThat(ledger.isDone("rot-1")).isTrue();
                assertThat(ledger.isDone("rot-2")).isFalse();
                // when: another replica commits rot-2
                producer.send(codec.toRecord(topic, notified("rot-2"))).get();
                ledger.catchUp();
                // then
                assertThat(ledger.isDone("rot-2")).isTrue();
                assertThat(history).containsExactly("rot-1", "rot-2");
                ledger.catchUp();
                assertThat(history).as("nothing read twice").containsExactly("rot-1", "rot-2");
            }
        }
    }

    private static RotationEvent<RotationNotified> notified(String rotationId) {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return RotationEvent.forRotation(rotationId, EventType.NOTIFIED, "/test", "financial-ml", now,
                new RotationNotified(rotationId, "financial-ml", List.of("a@example.com"), "<m@test>", now.toInstant()));
    }
}

package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerProcessIT {

    @Test
    @Timeout(30)
    void acknowledgedRecordSurvivesSigkillAndRestartOnSamePortAndData(@TempDir Path dataDir) throws Exception {
        try (KafkaBrokerProcess broker = new KafkaBrokerProcess(dataDir, 0)) {
            broker.start();
            long firstPid = broker.pid();
            String address = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, address))) {
                admin.createTopics(Set.of(new NewTopic("crash", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, address, ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("crash", "k", "before-crash")).get();
            }

            broker.kill();
            assertThat(ProcessHandle.of(firstPid)).isEmpty();
            broker.start();

            assertThat(broker.pid()).isNotEqualTo(firstPid);
            assertThat(broker.bootstrapServers()).isEqualTo(address);
            assertThat(EmbeddedKafkaIT.consumeAll(address, "crash", "read_committed")).containsExactly("before-crash");
        }
    }
}

package io.reseal.producer.api;

import static org.awaitility.Awaitility.await;

import io.reseal.embedded.KafkaCluster;
import io.reseal.embedded.KafkaClusterFactory;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Kafka broker for one test class, and rotation producers on it with the given API tokens and the
 * workflows of {@link RotationRequestBodyTest#workflows} (and any extra ones). {@link #start} returns a producer whose
 * status view is loaded; {@link #close} closes every producer still running, then the broker.
 */
final class ProducerFixture implements AutoCloseable {

    private final KafkaCluster kafka;
    private final KafkaConfig kafkaConfig;
    private final ProducerConfig config;
    private final List<WorkflowConfig> workflows;
    private final List<RotationProducer> running = new ArrayList<>();

    ProducerFixture(List<ApiToken> tokens, WorkflowConfig... extraWorkflows) {
        config = new ProducerConfig(0, null, tokens, null, null);
        workflows = new ArrayList<>(RotationRequestBodyTest.workflows().values());
        workflows.addAll(List.of(extraWorkflows));
        kafka = KafkaClusterFactory.create();
        kafka.start();
        kafkaConfig = KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers());
    }

    String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    KafkaConfig kafkaConfig() {
        return kafkaConfig;
    }

    /** A producer (one more replica when others run), once it has read the status topics. */
    RotationProducer start() {
        RotationProducer producer = RotationProducer.start(config, kafkaConfig, workflows, Clock.systemUTC());
        running.add(producer);
        await().atMost(Duration.ofSeconds(30)).until(producer::statusLoaded);
        return producer;
    }

    void stop(RotationProducer producer) {
        producer.close();
        running.remove(producer);
    }

    @Override
    public void close() {
        running.forEach(RotationProducer::close);
        running.clear();
        kafka.close();
    }
}

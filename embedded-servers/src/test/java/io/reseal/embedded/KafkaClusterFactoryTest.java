package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

class KafkaClusterFactoryTest {

    @Test
    void defaultIsTheInJvmBrokerWithoutAskingDocker() {
        AtomicBoolean dockerAsked = new AtomicBoolean();

        KafkaCluster cluster = KafkaClusterFactory.create(null, () -> dockerAsked.getAndSet(true));

        assertThat(cluster).isInstanceOf(EmbeddedKafka.class);
        assertThat(dockerAsked).isFalse();
        cluster.close();
    }

    @Test
    void containerRequestedWithoutDockerFallsBackToTheInJvmBroker() {
        KafkaCluster cluster = KafkaClusterFactory.create(" Container ", () -> false);

        assertThat(cluster).isInstanceOf(EmbeddedKafka.class);
        cluster.close();
    }

    @Test
    void unknownKindIsRejectedNamingTheSetting() {
        assertThatThrownBy(() -> KafkaClusterFactory.create("kraft", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reseal.test.kafka")
                .hasMessageContaining("kraft");
    }
}

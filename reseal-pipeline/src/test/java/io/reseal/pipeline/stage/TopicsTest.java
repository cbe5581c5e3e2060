package io.reseal.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void theTypesThatTravelOnAnotherTypesTopicFollowItsOverride() {
        Topics topics = Topics.withOverrides(Map.of(EventType.FINISHED, "team.finished", EventType.ADOPTED,
                "team.adopted", EventType.NOTIFIED, "team.notified"));

        assertThat(topics.of(EventType.FINISH_DEFERRED)).isEqualTo("team.finished");
        assertThat(topics.of(EventType.ADOPTION_COMPLETE)).isEqualTo("team.adopted");
        assertThat(topics.of(EventType.REMINDED)).isEqualTo("team.adopted");
        assertThat(topics.of(EventType.RELINK_NOTIFIED)).isEqualTo("team.notified");
        assertThat(topics.of(EventType.SEALED)).isEqualTo("reseal.rotation.sealed");
    }

    @Test
    void anOverrideOfATypeWithoutATopicOfItsOwnIsRefusedNamingTheTypeToOverride() {
        for (EventType type : EventType.values()) {
            if (type.carrier() != type) {
                assertThatThrownBy(() -> Topics.withOverrides(Map.of(type, "elsewhere")))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(type.shortName())
                        .hasMessageContaining("override " + type.carrier().shortName() + " instead");
            }
        }
        assertThatThrownBy(() -> new KafkaConfig("localhost:9092", null, null, Map.of("reminded", "elsewhere"), null)
                .topicNames())
                .hasMessageContaining("reminded travels on the adopted topic");
    }

    @Test
    void twoTypesWithTopicsOfTheirOwnMayNotShareOneName() {
        assertThatThrownBy(() -> Topics.withOverrides(Map.of(EventType.FINISHED, "reseal.rotation.sealed")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sealed and finished both name topic 'reseal.rotation.sealed': each needs a topic of its own");
    }

    @Test
    void eachTypeWithATopicOfItsOwnHasItsDefaultUnlessOverridden() {
        Topics defaults = Topics.defaults();
        for (EventType type : EventType.values()) {
            assertThat(defaults.of(type)).isEqualTo(type.carrier().defaultTopic()).isEqualTo(type.defaultTopic());
        }
    }
}

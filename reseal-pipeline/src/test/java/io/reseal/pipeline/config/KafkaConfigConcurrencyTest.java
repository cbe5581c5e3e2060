package io.reseal.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code kafka.concurrency} read from YAML: its defaults, and the values refused at load with the key named. */
class KafkaConfigConcurrencyTest {

    @Test
    void withoutASettingThePackagerWorksOnEightRecordsAtOnceAndEveryOtherStageOnOne() {
        KafkaConfig kafka = read("bootstrapServers: localhost:9092\n");
        assertThat(kafka.concurrencyOf("packager")).isEqualTo(8);
        assertThat(kafka.concurrencyOf("notifier")).isEqualTo(1);
        assertThat(kafka.concurrencyOf("sealer")).isEqualTo(1);
    }

    @Test
    void aSettingReplacesTheDefaultOfItsStageOnly() {
        KafkaConfig kafka = read("concurrency:\n  notifier: 4\n");
        assertThat(kafka.concurrencyOf("notifier")).isEqualTo(4);
        assertThat(kafka.concurrencyOf("packager")).isEqualTo(8);
        assertThat(kafka.toString()).contains("concurrency={notifier=4, packager=8}");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void zeroOrLessIsRefusedNamingTheKey(int value) {
        assertThatThrownBy(() -> read("concurrency:\n  packager: " + value + "\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("kafka.concurrency.packager must be >= 1, not " + value);
    }

    @Test
    void aStageThatWorksOnOneRecordAtATimeCannotBeSet() {
        assertThatThrownBy(() -> read("concurrency:\n  sealer: 4\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("kafka.concurrency: unknown key 'sealer'")
                .hasMessageContaining("notifier, packager");
    }

    private static KafkaConfig read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), KafkaConfig.class,
                "test.yaml");
    }
}

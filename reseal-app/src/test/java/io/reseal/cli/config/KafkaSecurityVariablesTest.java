package io.reseal.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code KAFKA_*} security variables lay a {@code kafka.security} section over the file, and never show a password. */
class KafkaSecurityVariablesTest {

    private static KafkaConfig load(String yaml, Map<String, String> environment) {
        return ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "reseal.yaml",
                environment::get).kafka();
    }

    @Test
    void theVariablesAloneSecureTheClientsAndTheyWinOverTheFile() {
        KafkaConfig kafka = load("""
                kafka:
                  security:
                    protocol: SASL_SSL
                    sasl: {mechanism: SCRAM-SHA-512, username: from-the-file, password: file-password}
                """, Map.of(
                "KAFKA_SASL_USERNAME", "reseal-sealer",
                "KAFKA_SASL_PASSWORD", "Hunter2-from-a-secret",
                "KAFKA_TLS_CA_FILE", "/var/run/reseal/kafka-ca/ca.crt"));

        assertThat(kafka.security().protocol()).isEqualTo("SASL_SSL");
        assertThat(kafka.security().sasl().username()).isEqualTo("reseal-sealer");
        assertThat(kafka.security().sasl().password()).isEqualTo("Hunter2-from-a-secret");
        assertThat(kafka.security().tls().caFile()).isEqualTo("/var/run/reseal/kafka-ca/ca.crt");
        assertThat(kafka.toString()).doesNotContain("Hunter2");
    }

    @Test
    void anIncompleteLoginNamesTheKeyAndTheVariablesButNotThePassword() {
        assertThatThrownBy(() -> load("{}", Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_PASSWORD", "Hunter2-from-a-secret")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("kafka.security.sasl.username is required for SCRAM-SHA-512")
                .hasMessageContaining("KAFKA_SASL_PASSWORD")
                .hasMessageNotContaining("Hunter2");
    }
}

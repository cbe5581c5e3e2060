package io.reseal.pipeline.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.YamlConfigReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientsTest {

    private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    @TempDir
    Path dir;

    private static KafkaConfig yaml(String text) {
        return YamlConfigReader.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), KafkaConfig.class, "test");
    }

    @Test
    void withoutSecurityEveryClientSpeaksPlaintextToTheBootstrapServers() {
        KafkaClients clients = new KafkaClients(KafkaConfig.defaults().withBootstrapServers("k:9092"));

        assertThat(clients.adminConfig(Map.of()))
                .containsEntry("bootstrap.servers", "k:9092")
                .containsEntry("security.protocol", "PLAINTEXT")
                .doesNotContainKeys("sasl.jaas.config", "ssl.truststore.type");
    }

    @Test
    void scramOverTlsWithAPemCaReachesEveryKindOfClient() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), CERT);
        KafkaConfig config = yaml("""
                bootstrapServers: kafka:9093
                security:
                  protocol: SASL_SSL
                  sasl: {mechanism: SCRAM-SHA-512, username: reseal-sealer, password: 'p"w\\d'}
                  tls: {caFile: %s}
                """.formatted(dir.resolve("ca.crt")));
        KafkaClients clients = new KafkaClients(config);

        for (Map<String, Object> props : java.util.List.of(clients.adminConfig(Map.of()),
                clients.consumerConfig("g", Map.of()), clients.producerConfig("t", Map.of()))) {
            assertThat(props)
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("ssl.truststore.type", "PEM")
                    .containsEntry("ssl.truststore.certificates", CERT)
                    .containsEntry("ssl.endpoint.identification.algorithm", "https");
            // Kafka's own JAAS parser reads the quoted, escaped password back exactly
            var entry = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password((String) props.get("sasl.jaas.config"))))
                    .configurationEntries().get(0);
            assertThat(entry.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
            Map<String, Object> options = Map.copyOf(entry.getOptions());
            assertThat(options).containsEntry("username", "reseal-sealer").containsEntry("password", "p\"w\\d");
        }
        assertThat(SecurityProtocol.forName((String) clients.adminConfig(Map.of()).get("security.protocol")))
                .isEqualTo(SecurityProtocol.SASL_SSL);
        assertThat(config.toString()).doesNotContain("p\"w").contains("password=****");
        assertThat(clients.toString()).doesNotContain("p\"w");
    }

    @Test
    void mutualTlsPresentsThePemCertificateAndKey() throws Exception {
        Files.writeString(dir.resolve("user.crt"), CERT);
        Files.writeString(dir.resolve("user.key"), KEY);
        KafkaConfig config = yaml("""
                security:
                  protocol: SSL
                  tls: {truststore: /etc/kafka/truststore.p12, truststorePassword: ts-secret, certificateFile: %s,
                        keyFile: %s, hostnameVerification: false}
                """.formatted(dir.resolve("user.crt"), dir.resolve("user.key")));

        Map<String, Object> props = new KafkaClients(config).consumerConfig(null, Map.of());

        assertThat(props)
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "ts-secret")
                .containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.certificate.chain", CERT)
                .containsEntry("ssl.keystore.key", KEY)
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .doesNotContainKeys("sasl.jaas.config", "group.id");
        assertThat(config.toString()).doesNotContain("ts-secret");
    }

    @Test
    void aKeyStoreAndPlainOverSaslPlaintextMapToKafkasNames() {
        KafkaConfig plain = yaml("""
                security:
                  protocol: SASL_PLAINTEXT
                  sasl: {mechanism: plain, username: u, password: pw}
                """);
        assertThat(new KafkaClients(plain).adminConfig(Map.of()).get("sasl.jaas.config"))
                .isEqualTo("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"pw\";");

        KafkaConfig keystore = yaml("""
                security:
                  protocol: SSL
                  tls: {keystore: /etc/tls/user.jks, keystorePassword: ks, keyPassword: kp}
                """);
        assertThat(new KafkaClients(keystore).adminConfig(Map.of()))
                .containsEntry("ssl.keystore.location", "/etc/tls/user.jks")
                .containsEntry("ssl.keystore.type", "JKS")
                .containsEntry("ssl.keystore.password", "ks")
                .containsEntry("ssl.key.password", "kp")
                .doesNotContainKey("ssl.truststore.type");
    }

    @Test
    void oauthBearerFetchesClientCredentialsTokensFromTheEndpoint() {
        KafkaConfig config = yaml("""
                security:
                  protocol: SASL_SSL
                  sasl: {mechanism: OAUTHBEARER, tokenEndpointUrl: 'https://idp.example/token', clientId: reseal-sealer,
                         clientSecret: oauth-secret, scope: kafka}
                """);

        Map<String, Object> props = new KafkaClients(config).producerConfig(null, Map.of());

        assertThat(props)
                .containsEntry("sasl.mechanism", "OAUTHBEARER")
                .containsEntry("sasl.oauthbearer.token.endpoint.url", "https://idp.example/token")
                .containsEntry("sasl.login.callback.handler.class",
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                        + " required clientId=\"reseal-sealer\" clientSecret=\"oauth-secret\" scope=\"kafka\";");
        assertThat(config.toString()).doesNotContain("oauth-secret");
    }

    @Test
    void thePassThroughMapReachesOnlyTheClientsThatKnowAKeyAndWinsOverTheCallersSettings() {
        KafkaConfig config = yaml("""
                properties:
                  compression.type: zstd
                  max.poll.records: 10
                  request.timeout.ms: 20000
                  ssl.truststore.password: hidden-in-logs
                """);
        KafkaClients clients = new KafkaClients(config);

        assertThat(clients.producerConfig(null, Map.of(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000)))
                .containsEntry("compression.type", "zstd")
                .containsEntry("request.timeout.ms", "20000")
                .doesNotContainKey("max.poll.records");
        assertThat(clients.consumerConfig("g", Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50)))
                .containsEntry("max.poll.records", "10")
                .containsEntry("group.id", "g")
                .doesNotContainKey("compression.type");
        assertThat(clients.adminConfig(Map.of())).doesNotContainKeys("compression.type", "max.poll.records");
        assertThat(config.toString()).contains("compression.type=zstd").doesNotContain("hidden-in-logs");
    }

    @Test
    void thePassThroughMapRefusesUnknownKeysAndTheOnesTheGuaranteesRestOn() {
        assertThatThrownBy(() -> yaml("properties: {compresion.type: zstd}"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("'compresion.type' is not a Kafka client property");
        assertThatThrownBy(() -> yaml("properties: {isolation.level: read_uncommitted}"))
                .hasMessageContaining("'isolation.level' cannot be passed through");
        assertThatThrownBy(() -> yaml("properties: {enable.auto.commit: true}"))
                .hasMessageContaining("'enable.auto.commit' cannot be passed through");
        assertThatThrownBy(() -> yaml("properties: {security.protocol: SSL}"))
                .hasMessageContaining("use kafka.security");
    }

    @Test
    void inconsistentSecurityIsAClearErrorThatShowsNoSecret() {
        assertThatThrownBy(() -> yaml("security: {protocol: SASL_SSL}"))
                .hasMessageContaining("kafka.security.sasl is required with protocol SASL_SSL");
        assertThatThrownBy(() -> yaml("security: {protocol: TLS}"))
                .hasMessageContaining("kafka.security.protocol must be");
        assertThatThrownBy(() -> yaml("security: {protocol: SASL_SSL, sasl: {mechanism: GSSAPI, username: u, password: s3cr3t}}"))
                .hasMessageContaining("mechanism must be").hasMessageNotContaining("s3cr3t");
        assertThatThrownBy(() -> yaml("security: {protocol: SASL_SSL, sasl: {mechanism: SCRAM-SHA-512, username: u}}"))
                .hasMessageContaining("kafka.security.sasl.password is required for SCRAM-SHA-512");
        assertThatThrownBy(() -> yaml("security: {protocol: PLAINTEXT, tls: {caFile: /ca.crt}}"))
                .hasMessageContaining("kafka.security.tls needs protocol SSL or SASL_SSL");
        assertThatThrownBy(() -> yaml("security: {protocol: SSL, tls: {certificateFile: /user.crt}}"))
                .hasMessageContaining("certificateFile and keyFile go together");
        assertThatThrownBy(() -> yaml("security: {protocol: SSL, tls: {passwrd: x}}"))
                .hasMessageContaining("unknown key 'security.tls.passwrd'");
    }

    @Test
    void aMissingOrNonPkcs8PemFileIsNamedByItsKey() throws Exception {
        KafkaConfig missing = yaml("security: {protocol: SSL, tls: {caFile: %s}}".formatted(dir.resolve("nope.crt")));
        assertThatThrownBy(() -> new KafkaClients(missing))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("kafka.security.tls.caFile: cannot read");

        Files.writeString(dir.resolve("user.crt"), CERT);
        Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n");
        KafkaConfig pkcs1 = yaml("security: {protocol: SSL, tls: {certificateFile: %s, keyFile: %s}}"
                .formatted(dir.resolve("user.crt"), dir.resolve("rsa.key")));
        assertThatThrownBy(() -> new KafkaClients(pkcs1))
                .hasMessageContaining("kafka.security.tls.keyFile")
                .hasMessageContaining("openssl pkcs8 -topk8")
                .hasMessageNotContaining("MIIE");
    }
}

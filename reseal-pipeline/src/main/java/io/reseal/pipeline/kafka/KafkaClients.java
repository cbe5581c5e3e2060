package io.reseal.pipeline.kafka;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.KafkaSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one place where Reseal's Kafka clients are made, all from one {@link KafkaConfig}: every consumer, producer
 * and admin client gets the bootstrap servers, the {@code kafka.security} settings (TLS, SASL, mTLS) and those
 * entries of the {@code kafka.properties} pass-through map that its kind of client knows. A caller adds only what
 * its job needs (timeouts, a client id); the pass-through map wins over those, except for the keys
 * {@link KafkaConfig#RESERVED_PROPERTIES} keeps for Reseal, which it may not hold.
 *
 * <p>Keys are strings, values bytes (the CloudEvents codec's record shape). PEM files named in {@code kafka.security.tls}
 * are read once, here; a missing or unreadable file is an {@link InvalidConfigException} naming the key. Passwords
 * reach the clients only as Kafka password-typed properties, which Kafka logs as {@code [hidden]}; {@link #toString()}
 * masks them. Thread-safe; the caller owns and closes every client it gets.
 */
public final class KafkaClients {

    private final KafkaConfig config;
    private final Map<String, Object> common;

    public KafkaClients(KafkaConfig config) {
        this.config = config;
        this.common = Map.copyOf(connection(config));
    }

    /** The {@code bootstrap.servers} every client connects to, for messages. */
    public String bootstrapServers() {
        return config.bootstrapServers();
    }

    /**
     * A consumer of string keys and byte values.
     *
     * @param groupId its consumer group, or {@code null} for one that only reads assigned partitions
     * @param settings what this consumer's job needs ({@code isolation.level}, timeouts, a client id)
     */
    public Consumer<String, byte[]> consumer(String groupId, Map<String, Object> settings) {
        return new KafkaConsumer<>(consumerConfig(groupId, settings), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A producer of string keys and byte values.
     *
     * @param transactionalId its transactional id, or {@code null} for a producer without transactions
     * @param settings what this producer's job needs ({@code acks}, idempotence, timeouts, a client id)
     */
    public Producer<String, byte[]> producer(String transactionalId, Map<String, Object> settings) {
        return new KafkaProducer<>(producerConfig(transactionalId, settings), new StringSerializer(), new ByteArraySerializer());
    }

    /** An admin client, with {@code settings} (timeouts, a client id) for its job. */
    public Admin admin(Map<String, Object> settings) {
        return Admin.create(adminConfig(settings));
    }

    Map<String, Object> consumerConfig(String groupId, Map<String, Object> settings) {
        Map<String, Object> props = assemble(settings, ConsumerConfig.configNames());
        if (groupId != null) props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        return props;
    }

    Map<String, Object> producerConfig(String transactionalId, Map<String, Object> settings) {
        Map<String, Object> props = assemble(settings, ProducerConfig.configNames());
        if (transactionalId != null) props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return props;
    }

    Map<String, Object> adminConfig(Map<String, Object> settings) {
        return assemble(settings, AdminClientConfig.configNames());
    }

    private Map<String, Object> assemble(Map<String, Object> settings, Set<String> known) {
        Map<String, Object> props = new HashMap<>(common);
        props.putAll(settings);
        config.properties().forEach((key, value) -> {
            if (known.contains(key)) props.put(key, value);
        });
        return props;
    }

    /** The connection: bootstrap servers and the security settings, as Kafka client properties. */
    private static Map<String, Object> connection(KafkaConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        KafkaSecurity security = config.security();
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, security.protocol());
        if (security.sasl() != null) {
            sasl(security.sasl(), props);
        }
        if (security.usesTls()) {
            tls(security.tls(), props);
        }
        return props;
    }

    private static void sasl(KafkaSecurity.Sasl sasl, Map<String, Object> props) {
        props.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism());
        switch (sasl.mechanism()) {
            case "PLAIN" -> props.put(SaslConfigs.SASL_JAAS_CONFIG, jaas("org.apache.kafka.common.security.plain.PlainLoginModule",
                    "username", sasl.username(), "password", sasl.password()));
            case "OAUTHBEARER" -> {
                props.put(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, sasl.tokenEndpointUrl());
                props.put(SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS,
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
                props.put(SaslConfigs.SASL_JAAS_CONFIG, sasl.scope() == null
                        ? jaas("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
                                "clientId", sasl.clientId(), "clientSecret", sasl.clientSecret())
                        : jaas("org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
                                "clientId", sasl.clientId(), "clientSecret", sasl.clientSecret(), "scope", sasl.scope()));
            }
            default -> props.put(SaslConfigs.SASL_JAAS_CONFIG, jaas("org.apache.kafka.common.security.scram.ScramLoginModule",
                    "username", sasl.username(), "password", sasl.password()));
        }
    }

    /** A JAAS line; values are quoted, with {@code \} and {@code "} escaped as Kafka's JAAS parser reads them. */
    private static String jaas(String loginModule, String... options) {
        StringBuilder line = new StringBuilder(loginModule).append(" required");
        for (int i = 0; i < options.length; i += 2) {
            line.append(' ').append(options[i]).append("=\"")
                    .append(options[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return line.append(';').toString();
    }

    private static void tls(KafkaSecurity.Tls tls, Map<String, Object> props) {
        if (tls == null) {
            return; // the JVM's default trust store, hostname verification on (Kafka's defaults)
        }
        if (tls.caFile() != null) {
            props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, pem(tls.caFile(), "caFile", "CERTIFICATE"));
        } else if (tls.truststore() != null) {
            props.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.truststore());
            props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, storeType(tls.truststore()));
            if (tls.truststorePassword() != null) props.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, tls.truststorePassword());
        }
        if (tls.certificateFile() != null) {
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, pem(tls.certificateFile(), "certificateFile", "CERTIFICATE"));
            props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, pem(tls.keyFile(), "keyFile", "PRIVATE KEY"));
        } else if (tls.keystore() != null) {
            props.put(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, tls.keystore());
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, storeType(tls.keystore()));
            if (tls.keystorePassword() != null) props.put(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG, tls.keystorePassword());
        }
        if (tls.keyPassword() != null) props.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, tls.keyPassword());
        props.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, tls.hostnameVerification() ? "https" : "");
    }

    private static String storeType(String file) {
        return file.toLowerCase(Locale.ROOT).endsWith(".jks") ? "JKS" : "PKCS12";
    }

    /** The text of a PEM file that must hold a {@code -----BEGIN <label>} block (PKCS#8 keys: {@code PRIVATE KEY}). */
    private static String pem(String file, String key, String label) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            throw new InvalidConfigException("kafka.security.tls." + key + ": cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (label.equals("PRIVATE KEY") && !text.contains("-----BEGIN PRIVATE KEY-----")
                && !text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new InvalidConfigException("kafka.security.tls." + key + ": " + file + " is not a PKCS#8 PEM key "
                    + "(-----BEGIN PRIVATE KEY-----); convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        if (label.equals("CERTIFICATE") && !text.contains("-----BEGIN CERTIFICATE-----")) {
            throw new InvalidConfigException("kafka.security.tls." + key + ": " + file + " holds no PEM certificate");
        }
        return text;
    }

    /** The configuration these clients are made from, secrets masked. */
    @Override
    public String toString() {
        return "KafkaClients[" + config + "]";
    }
}

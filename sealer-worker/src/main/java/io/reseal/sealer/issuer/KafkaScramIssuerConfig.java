package io.reseal.sealer.issuer;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.ScramMechanism;

/**
 * A Kafka SCRAM issuer: SASL/SCRAM users whose credentials the sealer sets through Kafka's Admin API, carrying
 * the ACLs of a template principal (see {@link KafkaScramIssuer}).
 *
 * @param name the issuer's name
 * @param kafkaScram where and how
 * @param revokePrevious when to finish by itself; {@code null}: only when asked ({@code ./reseal finish})
 */
public record KafkaScramIssuerConfig(String name, @JsonProperty("kafka-scram") Settings kafkaScram,
                                     RevokePrevious revokePrevious) implements IssuerConfig {

    /** Fields of the credential: the SCRAM user name and its password. */
    public static final Set<String> FIELDS = Set.of("username", "password");

    public KafkaScramIssuerConfig {
        IssuerConfig.checkedName(name);
        if (kafkaScram == null) throw new IllegalArgumentException("issuers." + name + ".kafka-scram is required");
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    /**
     * @param bootstrapServers the listener the rotated users log in on, {@code host:port[,host:port]}; {@code null}:
     *     the sealer's own {@code kafka.bootstrapServers}
     * @param protocol {@code SASL_PLAINTEXT} or {@code SASL_SSL} on that listener; {@code null}: {@code SASL_SSL} when
     *     the sealer's {@code kafka.security} uses TLS, else {@code SASL_PLAINTEXT}
     * @param admin a SCRAM login allowed to alter SCRAM credentials and ACLs (cluster {@code Alter} and
     *     {@code Describe}), logging in on {@code bootstrapServers}; {@code null}: the sealer's own Kafka connection
     * @param principal the user name of the template principal ({@code User:<principal>}) whose ACLs the rotated
     *     users carry
     * @param mechanism {@code SCRAM-SHA-512} (default) or {@code SCRAM-SHA-256}, of the rotated users and the admin
     * @param iterations SCRAM iterations of the credentials set, 4096 to 16384 (Kafka's bounds); default 8192
     * @param strategy {@code alternating-users} (default) or {@code single-user}
     */
    public record Settings(String bootstrapServers, String protocol, AdminLogin admin, String principal, String mechanism,
                           Integer iterations, UserStrategy strategy) {

        /** Kafka's bounds for SCRAM iterations ({@code ScramMechanism} min 4096, max 16384). */
        public static final int MIN_ITERATIONS = 4096;
        public static final int MAX_ITERATIONS = 16384;
        private static final Pattern USER = Pattern.compile("[A-Za-z0-9._-]{1,200}");

        public Settings {
            if (admin != null) admin.check("kafka-scram.admin");
            if (bootstrapServers != null && bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("kafka-scram.bootstrapServers must be host:port[,host:port] when given");
            }
            if (protocol != null) {
                protocol = protocol.strip().toUpperCase(Locale.ROOT);
                if (!protocol.equals("SASL_PLAINTEXT") && !protocol.equals("SASL_SSL")) {
                    throw new IllegalArgumentException("kafka-scram.protocol must be SASL_PLAINTEXT or SASL_SSL");
                }
            }
            if (principal == null || !USER.matcher(principal).matches()) {
                throw new IllegalArgumentException("kafka-scram.principal must be the user name of the template principal"
                        + " (User:<principal>): letters, digits, '.', '_', '-', at most 200 characters");
            }
            mechanism = mechanism == null ? "SCRAM-SHA-512" : mechanism.strip().toUpperCase(Locale.ROOT);
            if (!mechanism.equals("SCRAM-SHA-512") && !mechanism.equals("SCRAM-SHA-256")) {
                throw new IllegalArgumentException("kafka-scram.mechanism must be SCRAM-SHA-512 or SCRAM-SHA-256");
            }
            iterations = iterations == null ? 8192 : iterations;
            if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("kafka-scram.iterations must be between " + MIN_ITERATIONS + " and "
                        + MAX_ITERATIONS);
            }
            strategy = strategy == null ? UserStrategy.ALTERNATING_USERS : strategy;
        }

        /** The mechanism as Kafka's Admin API names it. */
        public ScramMechanism scramMechanism() {
            return ScramMechanism.fromMechanismName(mechanism);
        }
    }
}

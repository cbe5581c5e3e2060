package io.reseal.pipeline.config;

import java.util.Locale;
import java.util.Set;

/**
 * How every Kafka client of a service proves who it is and checks whom it talks to: the {@code kafka.security}
 * section. Immutable, validated in its constructors; {@link #toString()} never shows a password or client secret.
 *
 * @param protocol {@code PLAINTEXT} (default), {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL};
 *     {@code KAFKA_SECURITY_PROTOCOL} overrides it
 * @param sasl the SASL login, required for (and only allowed with) the {@code SASL_*} protocols
 * @param tls how the broker's certificate is trusted and, for mTLS, the client's own certificate; only allowed with
 *     {@code SSL} and {@code SASL_SSL} (without it the JVM's default trust store is used)
 */
public record KafkaSecurity(String protocol, Sasl sasl, Tls tls) {

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final String MASK = "****";

    public KafkaSecurity {
        protocol = protocol == null ? "PLAINTEXT" : protocol.strip().toUpperCase(Locale.ROOT);
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("kafka.security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
        }
        if (protocol.startsWith("SASL_") && sasl == null) {
            throw new IllegalArgumentException("kafka.security.sasl is required with protocol " + protocol
                    + " (or KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)");
        }
        if (!protocol.startsWith("SASL_") && sasl != null) {
            throw new IllegalArgumentException("kafka.security.sasl needs protocol SASL_SSL or SASL_PLAINTEXT, not " + protocol);
        }
        if (!usesTls(protocol) && tls != null) {
            throw new IllegalArgumentException("kafka.security.tls needs protocol SSL or SASL_SSL, not " + protocol);
        }
    }

    /** Plain, unauthenticated connections: what a broker without security speaks. */
    public static KafkaSecurity none() {
        return new KafkaSecurity(null, null, null);
    }

    /** Whether the connections are TLS ({@code SSL} or {@code SASL_SSL}). */
    public boolean usesTls() {
        return usesTls(protocol);
    }

    private static boolean usesTls(String protocol) {
        return protocol.equals("SSL") || protocol.equals("SASL_SSL");
    }

    /**
     * A SASL login.
     *
     * @param mechanism {@code SCRAM-SHA-512}, {@code SCRAM-SHA-256}, {@code PLAIN} or {@code OAUTHBEARER}
     * @param username the principal (SCRAM, PLAIN)
     * @param password its password (SCRAM, PLAIN); never printed
     * @param tokenEndpointUrl where an OAuth 2 client-credentials token is fetched (OAUTHBEARER)
     * @param clientId the OAuth client (OAUTHBEARER)
     * @param clientSecret its secret (OAUTHBEARER); never printed
     * @param scope the OAuth scope asked for (OAUTHBEARER, optional)
     */
    public record Sasl(String mechanism, String username, String password, String tokenEndpointUrl, String clientId,
                       String clientSecret, String scope) {

        private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN", "OAUTHBEARER");

        public Sasl {
            mechanism = mechanism == null ? null : mechanism.strip().toUpperCase(Locale.ROOT);
            if (mechanism == null || !MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException(
                        "kafka.security.sasl.mechanism must be SCRAM-SHA-512, SCRAM-SHA-256, PLAIN or OAUTHBEARER");
            }
            if (mechanism.equals("OAUTHBEARER")) {
                require(tokenEndpointUrl, "tokenEndpointUrl", mechanism);
                require(clientId, "clientId", mechanism);
                require(clientSecret, "clientSecret", mechanism);
                refuse(username, "username", mechanism);
                refuse(password, "password", mechanism);
            } else {
                require(username, "username", mechanism);
                require(password, "password", mechanism);
                refuse(tokenEndpointUrl, "tokenEndpointUrl", mechanism);
                refuse(clientId, "clientId", mechanism);
                refuse(clientSecret, "clientSecret", mechanism);
                refuse(scope, "scope", mechanism);
            }
        }

        @Override
        public String toString() {
            return mechanism.equals("OAUTHBEARER")
                    ? "Sasl[OAUTHBEARER, clientId=" + clientId + ", clientSecret=" + MASK + ", tokenEndpointUrl="
                            + tokenEndpointUrl + (scope != null ? ", scope=" + scope : "") + "]"
                    : "Sasl[" + mechanism + ", username=" + username + ", password=" + MASK + "]";
        }
    }

    /**
     * TLS material, as files. The broker is trusted by a PEM CA bundle ({@code caFile}) or a trust store; the client
     * presents, for mTLS, a PEM certificate and PKCS#8 key ({@code certificateFile}, {@code keyFile}) or a key store.
     *
     * @param caFile PEM file of the CA certificate(s) that signed the broker's certificate (Strimzi: {@code ca.crt})
     * @param truststore a PKCS12 or JKS trust store file, instead of {@code caFile}
     * @param truststorePassword its password; never printed
     * @param certificateFile PEM certificate chain of this client (mTLS; Strimzi: {@code user.crt})
     * @param keyFile PEM PKCS#8 private key of {@code certificateFile} (Strimzi: {@code user.key})
     * @param keyPassword the password of an encrypted {@code keyFile} or of the key in {@code keystore}; never printed
     * @param keystore a PKCS12 or JKS key store file with this client's key and certificate, instead of the PEM files
     * @param keystorePassword its password; never printed
     * @param hostnameVerification whether the broker's certificate must name the host connected to (default true)
     */
    public record Tls(String caFile, String truststore, String truststorePassword, String certificateFile,
                      String keyFile, String keyPassword, String keystore, String keystorePassword,
                      Boolean hostnameVerification) {

        public Tls {
            hostnameVerification = hostnameVerification == null || hostnameVerification;
            if (caFile != null && truststore != null) {
                throw new IllegalArgumentException("kafka.security.tls: give caFile or truststore, not both");
            }
            if (truststorePassword != null && truststore == null) {
                throw new IllegalArgumentException("kafka.security.tls.truststorePassword needs truststore");
            }
            if ((certificateFile == null) != (keyFile == null)) {
                throw new IllegalArgumentException("kafka.security.tls: certificateFile and keyFile go together");
            }
            if (certificateFile != null && keystore != null) {
                throw new IllegalArgumentException(
                        "kafka.security.tls: give certificateFile and keyFile, or keystore, not both");
            }
            if (keystorePassword != null && keystore == null) {
                throw new IllegalArgumentException("kafka.security.tls.keystorePassword needs keystore");
            }
            if (keyPassword != null && keyFile == null && keystore == null) {
                throw new IllegalArgumentException("kafka.security.tls.keyPassword needs keyFile or keystore");
            }
        }

        /** Whether this client presents a certificate of its own (mTLS). */
        public boolean presentsCertificate() {
            return certificateFile != null || keystore != null;
        }

        @Override
        public String toString() {
            StringBuilder text = new StringBuilder("Tls[");
            if (caFile != null) text.append("caFile=").append(caFile).append(", ");
            if (truststore != null) text.append("truststore=").append(truststore).append(", ");
            if (truststorePassword != null) text.append("truststorePassword=").append(MASK).append(", ");
            if (certificateFile != null) text.append("certificateFile=").append(certificateFile).append(", ");
            if (keyFile != null) text.append("keyFile=").append(keyFile).append(", ");
            if (keyPassword != null) text.append("keyPassword=").append(MASK).append(", ");
            if (keystore != null) text.append("keystore=").append(keystore).append(", ");
            if (keystorePassword != null) text.append("keystorePassword=").append(MASK).append(", ");
            return text.append("hostnameVerification=").append(hostnameVerification).append(']').toString();
        }
    }

    private static void require(String value, String key, String mechanism) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("kafka.security.sasl." + key + " is required for " + mechanism);
        }
    }

    private static void refuse(String value, String key, String mechanism) {
        if (value != null) {
            throw new IllegalArgumentException("kafka.security.sasl." + key + " does not apply to " + mechanism);
        }
    }
}

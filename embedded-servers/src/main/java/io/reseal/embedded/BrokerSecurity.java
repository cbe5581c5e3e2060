package io.reseal.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * How the client listener of an {@link EmbeddedKafka} is secured: its protocol, the SASL mechanisms it accepts, the
 * users it knows, and whether ACLs are enforced. Immutable; built with {@link #saslScram}, {@link #saslSsl},
 * {@link #mutualTls} or the constructor.
 *
 * <ul>
 *   <li>SCRAM users are added when the storage is formatted ({@code StorageTool format --add-scram}); PLAIN users are
 *       listed in the listener's JAAS configuration. Each user has one password for all its mechanisms.</li>
 *   <li>With TLS ({@code SSL}, {@code SASL_SSL}) the broker presents {@code keystore} (PKCS12); with a
 *       {@code truststore} it also requires a client certificate, whose common name becomes the principal
 *       ({@code User:<CN>}).</li>
 *   <li>With {@code authorizer}, the KRaft {@code StandardAuthorizer} enforces ACLs and denies what no ACL allows;
 *       {@code superUsers} are allowed everything.</li>
 * </ul>
 * Only the client listener is secured: the broker's own inter-broker and controller listeners stay plaintext on
 * 127.0.0.1, unadvertised to clients, and their anonymous principal is a super user. So this is for tests, not a
 * hardened broker.
 *
 * @param protocol {@code SASL_PLAINTEXT}, {@code SASL_SSL} or {@code SSL}
 * @param mechanisms SASL mechanisms enabled ({@code SCRAM-SHA-512}, {@code SCRAM-SHA-256}, {@code PLAIN})
 * @param users user name to password
 * @param superUsers user names allowed everything (principal {@code User:<name>})
 * @param authorizer whether ACLs are enforced
 * @param keystore the broker's PKCS12 key store (TLS protocols)
 * @param truststore the PKCS12 trust store of client certificates, or {@code null} for no client certificates
 * @param storePassword the password of both stores
 */
public record BrokerSecurity(String protocol, List<String> mechanisms, Map<String, String> users, Set<String> superUsers,
                             boolean authorizer, Path keystore, Path truststore, String storePassword) {

    private static final Set<String> PROTOCOLS = Set.of("SASL_PLAINTEXT", "SASL_SSL", "SSL");
    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    public BrokerSecurity {
        Objects.requireNonNull(protocol, "protocol");
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("protocol must be SASL_PLAINTEXT, SASL_SSL or SSL");
        }
        mechanisms = List.copyOf(mechanisms);
        users = Map.copyOf(users);
        superUsers = Set.copyOf(superUsers);
        if (!MECHANISMS.containsAll(mechanisms)) {
            throw new IllegalArgumentException("mechanisms must be among " + MECHANISMS);
        }
        if (protocol.startsWith("SASL_") == mechanisms.isEmpty()) {
            throw new IllegalArgumentException("SASL mechanisms go with, and only with, a SASL protocol");
        }
        if (!protocol.equals("SASL_PLAINTEXT") && (keystore == null || storePassword == null)) {
            throw new IllegalArgumentException(protocol + " needs a key store and its password");
        }
        if (protocol.equals("SSL") && truststore == null) {
            throw new IllegalArgumentException("SSL without client certificates cannot tell users apart: give a trust store");
        }
    }

    /** SASL_PLAINTEXT with SCRAM-SHA-512, the given users, ACLs enforced, {@code superUser} allowed everything. */
    public static BrokerSecurity saslScram(Map<String, String> users, String superUser) {
        return new BrokerSecurity("SASL_PLAINTEXT", List.of("SCRAM-SHA-512"), users, Set.of(superUser), true,
                null, null, null);
    }

    /** SASL_SSL with SCRAM-SHA-512, the server certificate of {@code certificates}, ACLs enforced. */
    public static BrokerSecurity saslSsl(TestCertificates certificates, Map<String, String> users, String superUser) {
        return new BrokerSecurity("SASL_SSL", List.of("SCRAM-SHA-512"), users, Set.of(superUser), true,
                certificates.serverKeystore(), null, certificates.password());
    }

    /** SSL with required client certificates of {@code certificates}' CA, ACLs enforced. */
    public static BrokerSecurity mutualTls(TestCertificates certificates, String superUser) {
        return new BrokerSecurity("SSL", List.of(), Map.of(), Set.of(superUser), true,
                certificates.serverKeystore(), certificates.truststore(), certificates.password());
    }

    /** The broker properties of the client listener named {@code listener} (lower case in property names). */
    Map<String, String> listenerProperties(String listener) {
        String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> p = new LinkedHashMap<>();
        if (!mechanisms.isEmpty()) {
            p.put(prefix + "sasl.enabled.mechanisms", String.join(",", mechanisms));
            for (String mechanism : mechanisms) {
                String jaas = mechanism.equals("PLAIN")
                        ? "org.apache.kafka.common.security.plain.PlainLoginModule required" + plainUsers() + ";"
                        : "org.apache.kafka.common.security.scram.ScramLoginModule required;";
                p.put(prefix + mechanism.toLowerCase(Locale.ROOT) + ".sasl.jaas.config", jaas);
            }
        }
        if (keystore != null) {
            p.put(prefix + "ssl.keystore.location", keystore.toAbsolutePath().toString());
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.keystore.password", storePassword);
            p.put(prefix + "ssl.key.password", storePassword);
        }
        if (truststore != null) {
            p.put(prefix + "ssl.truststore.location", truststore.toAbsolutePath().toString());
            p.put(prefix + "ssl.truststore.type", "PKCS12");
            p.put(prefix + "ssl.truststore.password", storePassword);
            p.put(prefix + "ssl.client.auth", "required");
            p.put(prefix + "ssl.principal.mapping.rules", "RULE:^CN=([^,]+).*$/$1/,DEFAULT");
        }
        if (authorizer) {
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            StringBuilder supers = new StringBuilder("User:ANONYMOUS");
            superUsers.stream().sorted().forEach(user -> supers.append(";User:").append(user));
            p.put("super.users", supers.toString());
        }
        return p;
    }

    /** The {@code --add-scram} arguments of {@code StorageTool format}, one per SCRAM mechanism and user. */
    List<String> scramFormatArguments() {
        return mechanisms.stream().filter(m -> m.startsWith("SCRAM-"))
                .flatMap(m -> users.entrySet().stream().sorted(Map.Entry.comparingByKey()).flatMap(user -> Stream.of(
                        "--add-scram", m + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]")))
                .toList();
    }

    private String plainUsers() {
        StringBuilder text = new StringBuilder();
        users.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(user ->
                text.append(" user_").append(user.getKey()).append("=\"").append(user.getValue()).append('"'));
        return text.toString();
    }

    /** Names the protocol, mechanisms, users and super users; never a password. */
    @Override
    public String toString() {
        return "BrokerSecurity[" + protocol + ", mechanisms=" + mechanisms
                + ", users=" + users.keySet().stream().sorted().toList() + ", superUsers=" + superUsers
                + ", authorizer=" + authorizer + ", clientCertificates=" + (truststore != null) + "]";
    }
}

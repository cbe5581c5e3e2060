package io.reseal.cli.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.YamlConfigReader;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Reads {@code reseal.yaml} and lays the connection environment variables over it
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_*}, {@code KAFKA_TLS_*},
 * {@code S3_*}, {@code SMTP_*}, {@code API_PORT}, ...). Every problem of the file is reported at once, each with
 * its key path and line (see {@link YamlConfigReader}), and the variables applied; no message holds a value.
 * {@link #loadSections} reads only the sections one service uses, so a service needs no credential of
 * another's section (the sealer needs no S3 secret key). Stateless.
 */
public final class ConfigLoader {

    /** Environment variable to the key path it overrides. */
    public static final Map<String, List<String>> OVERRIDES = overrides();

    private ConfigLoader() {}

    private static Map<String, List<String>> overrides() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        map.put("KAFKA_BOOTSTRAP_SERVERS", List.of("kafka", "bootstrapServers"));
        map.put("KAFKA_SECURITY_PROTOCOL", List.of("kafka", "security", "protocol"));
        map.put("KAFKA_SASL_MECHANISM", List.of("kafka", "security", "sasl", "mechanism"));
        map.put("KAFKA_SASL_USERNAME", List.of("kafka", "security", "sasl", "username"));
        map.put("KAFKA_SASL_PASSWORD", List.of("kafka", "security", "sasl", "password"));
        map.put("KAFKA_SASL_TOKEN_ENDPOINT_URL", List.of("kafka", "security", "sasl", "tokenEndpointUrl"));
        map.put("KAFKA_SASL_CLIENT_ID", List.of("kafka", "security", "sasl", "clientId"));
        map.put("KAFKA_SASL_CLIENT_SECRET", List.of("kafka", "security", "sasl", "clientSecret"));
        map.put("KAFKA_TLS_CA_FILE", List.of("kafka", "security", "tls", "caFile"));
        map.put("KAFKA_TLS_TRUSTSTORE", List.of("kafka", "security", "tls", "truststore"));
        map.put("KAFKA_TLS_TRUSTSTORE_PASSWORD", List.of("kafka", "security", "tls", "truststorePassword"));
        map.put("KAFKA_TLS_CERTIFICATE_FILE", List.of("kafka", "security", "tls", "certificateFile"));
        map.put("KAFKA_TLS_KEY_FILE", List.of("kafka", "security", "tls", "keyFile"));
        map.put("KAFKA_TLS_KEY_PASSWORD", List.of("kafka", "security", "tls", "keyPassword"));
        map.put("KAFKA_TLS_KEYSTORE", List.of("kafka", "security", "tls", "keystore"));
        map.put("KAFKA_TLS_KEYSTORE_PASSWORD", List.of("kafka", "security", "tls", "keystorePassword"));
        map.put("API_PORT", List.of("api", "port"));
        map.put("API_PUBLIC_URL", List.of("api", "publicBaseUrl"));
        map.put("API_BIND_ADDRESS", List.of("api", "bindAddress"));
        map.put("S3_ENDPOINT", List.of("s3", "endpoint"));
        map.put("S3_PUBLIC_ENDPOINT", List.of("s3", "publicEndpoint"));
        map.put("S3_REGION", List.of("s3", "region"));
        map.put("S3_ACCESS_KEY", List.of("s3", "accessKey"));
        map.put("S3_SECRET_KEY", List.of("s3", "secretKey"));
        map.put("S3_BUCKET", List.of("s3", "bucket"));
        map.put("RESEAL_SIGNING_KEY", List.of("s3", "signingKey"));
        map.put("SMTP_HOST", List.of("smtp", "host"));
        map.put("SMTP_PORT", List.of("smtp", "port"));
        map.put("SMTP_TLS", List.of("smtp", "tls"));
        map.put("SMTP_USERNAME", List.of("smtp", "username"));
        map.put("SMTP_PASSWORD", List.of("smtp", "password"));
        map.put("SMTP_FROM", List.of("smtp", "from"));
        return Map.copyOf(map);
    }

    public static ResealConfig load(Path file, Function<String, String> environment) {
        return load(read(file), file.toString(), environment, null);
    }

    /**
     * Reads only the top-level {@code sections} of {@code file} (e.g. {@code kafka}, {@code s3}); the other known
     * sections are left out unread, unknown top-level keys are still refused.
     */
    public static ResealConfig loadSections(Path file, Function<String, String> environment, Set<String> sections) {
        return load(read(file), file.toString(), environment, Set.copyOf(sections));
    }

    private static byte[] read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file + ": no such configuration file");
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return bytes;
    }

    public static ResealConfig load(InputStream in, String what, Function<String, String> environment) {
        try {
            return load(in.readAllBytes(), what, environment, null);
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static ResealConfig load(byte[] yaml, String what, Function<String, String> environment, Set<String> sections) {
        List<String> applied = new ArrayList<>();
        UnaryOperator<ObjectNode> adjust = tree -> {
            if (sections != null) {
                Arrays.stream(ResealConfig.class.getRecordComponents()).map(RecordComponent::getName)
                        .filter(section -> !sections.contains(section))
                        .forEach(tree::remove);
            }
            OVERRIDES.forEach((variable, path) -> {
                String value = environment.apply(variable);
                if (value != null && !value.isBlank() && (sections == null || sections.contains(path.get(0)))) {
                    ObjectNode node = tree;
                    for (String key : path.subList(0, path.size() - 1)) {
                        node = node.has(key) && node.get(key).isObject() ? (ObjectNode) node.get(key) : node.putObject(key);
                    }
                    node.put(path.get(path.size() - 1), value);
                    applied.add(variable);
                }
            });
            return tree;
        };
        try {
            return YamlConfigReader.read(yaml, adjust, ResealConfig.class, what);
        } catch (InvalidConfigException e) {
            throw applied.isEmpty() ? e : new InvalidConfigException(e.getMessage().replaceFirst(
                    java.util.regex.Pattern.quote(what), java.util.regex.Matcher.quoteReplacement(
                            what + " with " + String.join(", ", applied))));
        }
    }
}

package io.reseal.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.YamlConfigReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads {@code reseal.yaml} and lays the connection environment variables over it
 * ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code S3_*}, {@code SMTP_*}, {@code API_PORT}, ...). Errors name the
 * key path, and the line when no variable overrides anything, or the variables applied otherwise.
 * Stateless.
 */
public final class ConfigLoader {

    /** Environment variable to the key path it overrides. */
    public static final Map<String, List<String>> OVERRIDES = overrides();

    private ConfigLoader() {}

    private static Map<String, List<String>> overrides() {
        Map<String, List<String>> map = new LinkedHashMap<>();
        map.put("KAFKA_BOOTSTRAP_SERVERS", List.of("kafka", "bootstrapServers"));
        map.put("API_PORT", List.of("api", "port"));
        map.put("API_PUBLIC_URL", List.of("api", "publicBaseUrl"));
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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file + ": no such configuration file");
        } catch (IOException e) {
            throw new InvalidConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
        return load(bytes, file.toString(), environment);
    }

    public static ResealConfig load(InputStream in, String what, Function<String, String> environment) {
        try {
            return load(in.readAllBytes(), what, environment);
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static ResealConfig load(byte[] yaml, String what, Function<String, String> environment) {
        YAMLMapper mapper = new YAMLMapper();
        ObjectNode tree;
        try {
            JsonNode parsed = mapper.readTree(yaml);
            tree = parsed instanceof ObjectNode object ? object : mapper.createObjectNode();
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": " + e.getMessage());
        }
        StringBuilder applied = new StringBuilder();
        OVERRIDES.forEach((variable, path) -> {
            String value = environment.apply(variable);
            if (value != null && !value.isBlank()) {
                ObjectNode node = tree;
                for (String key : path.subList(0, path.size() - 1)) {
                    node = node.has(key) && node.get(key).isObject() ? (ObjectNode) node.get(key) : node.putObject(key);
                }
                node.put(path.get(path.size() - 1), value);
                applied.append(applied.length() == 0 ? "" : ", ").append(variable);
            }
        });
        if (applied.length() == 0) {
            return YamlConfigReader.read(new ByteArrayInputStream(yaml), ResealConfig.class, what);
        }
        try {
            return YamlConfigReader.read(new ByteArrayInputStream(mapper.writeValueAsBytes(tree)), ResealConfig.class,
                    what + " with " + applied);
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": " + e.getMessage());
        }
    }
}

package io.reseal.sealer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.secret.SecretValue;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.security.auth.Destroyable;

/**
 * A Kubernetes {@code v1} Secret with its plaintext values: what is sealed, or what unsealing gives back.
 *
 * <p>Carries name, namespace, labels, annotations, type, {@code immutable} and the values;
 * {@code stringData} is folded into the values (winning over {@code data}, as the API server does).
 * The scope is the one its annotations declare, as kubeseal reads it.
 *
 * <p>Owns its {@link SecretValue}s: {@link #destroy()} wipes them all. Not thread-safe; confine an
 * instance to the thread that seals or unseals it. {@link #toString()} never shows a value.
 */
public final class SecretManifest implements Destroyable {

    /** Annotations that hold a full copy of the object, plaintext included; never carried over. */
    private static final List<String> LAST_APPLIED = List.of(
            "kubectl.kubernetes.io/last-applied-configuration",
            "kubecfg.ksonnet.io/last-applied-configuration");
    /** Valid keys of a Secret's data, as the API server checks them. */
    private static final Pattern KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

    private final Metadata metadata;
    private final String type;
    private final Boolean immutable;
    private final Map<String, SecretValue> values;

    SecretManifest(Metadata metadata, String type, Boolean immutable, Map<String, SecretValue> values) {
        Map<String, String> annotations = new TreeMap<>(metadata.annotations());
        LAST_APPLIED.forEach(annotations::remove);
        this.metadata = new Metadata(metadata.name(), metadata.namespace(), metadata.labels(), annotations);
        this.type = type == null ? "" : type;
        this.immutable = immutable;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.values.keySet().forEach(SecretManifest::requireValidKey);
    }

    /**
     * A Secret built from its parts, as the sealer worker assembles a bundle. The map's values are
     * taken over, not copied: destroying this manifest destroys them.
     *
     * @param namespace may be empty only for {@link SecretScope#CLUSTER_WIDE}
     * @param type the Secret type, such as {@code Opaque}; empty to leave it out
     */
    public static SecretManifest of(String namespace, String name, String type, SecretScope scope,
            Map<String, SecretValue> values) {
        if (name == null || name.isBlank()) {
            throw new InvalidManifestException("metadata.name is missing");
        }
        Metadata metadata = new Metadata(name, namespace, Map.of(), Map.of()).withScope(Objects.requireNonNull(scope));
        return new SecretManifest(metadata, type, null, values);
    }

    /**
     * Reads a Secret manifest (YAML or JSON, one document).
     *
     * @throws InvalidManifestException naming the field that is missing or wrong
     */
    public static SecretManifest parse(InputStream manifest) {
        ObjectNode secret = ManifestParser.readObject(manifest, "v1", "Secret");
        Metadata metadata = ManifestParser.metadata(secret, "");
        JsonNode immutable = secret.path("immutable");
        if (!immutable.isMissingNode() && !immutable.isNull() && !immutable.isBoolean()) {
            throw new InvalidManifestException("immutable must be true or false");
        }
        Map<String, SecretValue> values = new LinkedHashMap<>();
        try {
            ManifestParser.stringMap(secret.path("data"), "data").forEach((key, base64) ->
                    values.put(key, SecretValue.of(decodeBase64(base64, "data." + key))));
            ManifestParser.stringMap(secret.path("stringData"), "stringData").forEach((key, text) ->
                    values.put(key, SecretValue.ofUtf8(text)));
            if (values.isEmpty()) {
                throw new InvalidManifestException("the Secret has neither data nor stringData; nothing to seal");
            }
            return new SecretManifest(metadata, ManifestParser.optionalText(secret, "type", "type"),
                    immutable.isBoolean() ? immutable.booleanValue() : null, values);
        } catch (RuntimeException e) {
            values.values().forEach(SecretValue::destroy);
            throw e;
        }
    }

    /**
     * This Secret with its scope annotations replaced, as {@code kubeseal --scope} does before sealing.
     * The new manifest shares this one's values.
     */
    public SecretManifest withScope(SecretScope scope) {
        return new SecretManifest(metadata.withScope(scope), type, immutable, values);
    }

    /** This Secret with {@code extra} added to its annotations (not the scope ones); shares this one's values. */
    SecretManifest withAnnotations(Map<String, String> extra) {
        return new SecretManifest(metadata.withAnnotations(extra), type, immutable, values);
    }

    public String name() {
        return metadata.name();
    }

    /** The namespace, or {@code ""} when none is set. */
    public String namespace() {
        return metadata.namespace();
    }

    /** The type, or {@code ""} when none is set. */
    public String type() {
        return type;
    }

    public SecretScope scope() {
        return metadata.scope();
    }

    /** The values by key, in the order they were given; read-only. */
    public Map<String, SecretValue> values() {
        return values;
    }

    Metadata metadata() {
        return metadata;
    }

    Boolean immutable() {
        return immutable;
    }

    /**
     * The Secret manifest, values base64-encoded under {@code data}, in kubeseal's shape for
     * {@code --recovery-unseal}. The text holds plaintext: hand it only to its owner.
     */
    public String render(OutputFormat format) {
        ObjectNode secret = JsonNodeFactory.instance.objectNode();
        secret.put("kind", "Secret");
        secret.put("apiVersion", "v1");
        metadata.toJson(secret);
        if (immutable != null) {
            secret.put("immutable", immutable);
        }
        if (!values.isEmpty()) {
            ObjectNode data = secret.putObject("data");
            new TreeMap<>(values).forEach((key, value) -> {
                byte[] plaintext = value.bytes();
                data.put(key, Base64.getEncoder().encodeToString(plaintext));
                Arrays.fill(plaintext, (byte) 0);
            });
        }
        if (!type.isEmpty()) {
            secret.put("type", type);
        }
        return format.render(secret);
    }

    /** Wipes every value. */
    @Override
    public void destroy() {
        values.values().forEach(SecretValue::destroy);
    }

    @Override
    public boolean isDestroyed() {
        return values.values().stream().allMatch(SecretValue::isDestroyed);
    }

    @Override
    public String toString() {
        return "SecretManifest[" + metadata.namespace() + "/" + metadata.name() + ", " + metadata.scope().wireName()
                + ", keys=" + values.keySet() + "]";
    }

    private static void requireValidKey(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new InvalidManifestException("'" + key + "' is not a valid Secret key"
                    + " (letters, digits, '-', '_' and '.', at most 253)");
        }
    }

    private static byte[] decodeBase64(String text, String path) {
        try {
            return Base64.getDecoder().decode(text.replace("\n", "").replace("\r", "").getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new InvalidManifestException(path + " is not valid base64");
        }
    }
}

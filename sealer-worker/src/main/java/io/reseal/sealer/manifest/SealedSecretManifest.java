package io.reseal.sealer.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reseal.pipeline.event.SecretScope;
import java.io.InputStream;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code bitnami.com/v1alpha1} SealedSecret: the metadata the controller reads the scope from,
 * the template of the Secret it will create, and one sealed value (standard base64) per key.
 * Holds no plaintext. Immutable and thread-safe.
 */
public final class SealedSecretManifest {

    static final String API_VERSION = "bitnami.com/v1alpha1";
    static final String KIND = "SealedSecret";

    private final Metadata metadata;
    private final Metadata template;
    private final String type;
    private final Boolean immutable;
    private final Map<String, String> encryptedData;

    SealedSecretManifest(Metadata metadata, Metadata template, String type, Boolean immutable,
            Map<String, String> encryptedData) {
        this.metadata = metadata;
        this.template = template;
        this.type = type;
        this.immutable = immutable;
        this.encryptedData = Collections.unmodifiableMap(new TreeMap<>(encryptedData));
    }

    /**
     * Reads a SealedSecret manifest (YAML or JSON, one document).
     *
     * @throws InvalidManifestException naming the field that is missing or wrong
     */
    public static SealedSecretManifest parse(InputStream manifest) {
        ObjectNode sealed = ManifestParser.readObject(manifest, API_VERSION, KIND);
        Metadata metadata = ManifestParser.metadata(sealed, "");
        JsonNode spec = sealed.path("spec");
        if (!spec.isObject()) {
            throw new InvalidManifestException("spec is missing");
        }
        if (spec.hasNonNull("data")) {
            throw new InvalidManifestException("spec.data (the pre-0.7 single-blob format) is not supported; use spec.encryptedData");
        }
        JsonNode templateNode = spec.path("template");
        if (!ManifestParser.stringMap(templateNode.path("data"), "spec.template.data").isEmpty()) {
            throw new InvalidManifestException("spec.template.data (templated keys) is not supported");
        }
        Metadata template = templateNode.path("metadata").isObject()
                ? templateMetadata(templateNode.path("metadata"), metadata)
                : new Metadata(metadata.name(), metadata.namespace(), Map.of(), Map.of());
        JsonNode immutable = templateNode.path("immutable");
        Map<String, String> encryptedData = ManifestParser.stringMap(spec.path("encryptedData"), "spec.encryptedData");
        if (encryptedData.isEmpty()) {
            throw new InvalidManifestException("spec.encryptedData is missing or empty");
        }
        return new SealedSecretManifest(metadata, template,
                ManifestParser.optionalText(templateNode, "type", "spec.template.type"),
                immutable.isBoolean() ? immutable.booleanValue() : null, encryptedData);
    }

    /** Template metadata may leave out name and namespace; the controller uses the SealedSecret's own. */
    private static Metadata templateMetadata(JsonNode meta, Metadata owner) {
        return new Metadata(owner.name(), owner.namespace(),
                ManifestParser.stringMap(meta.path("labels"), "spec.template.metadata.labels"),
                ManifestParser.stringMap(meta.path("annotations"), "spec.template.metadata.annotations"));
    }

    /** This SealedSecret with {@code extra} added to its own annotations (not the template's). */
    SealedSecretManifest withAnnotations(Map<String, String> extra) {
        return new SealedSecretManifest(metadata.withAnnotations(extra), template, type, immutable, encryptedData);
    }

    public String name() {
        return metadata.name();
    }

    /** The namespace, or {@code ""} when none is set. */
    public String namespace() {
        return metadata.namespace();
    }

    /** The scope the controller will unseal with: the one this SealedSecret's own annotations declare. */
    public SecretScope scope() {
        return metadata.scope();
    }

    /** The sealed values (standard base64) by key, sorted; read-only. */
    public Map<String, String> encryptedData() {
        return encryptedData;
    }

    Metadata metadata() {
        return metadata;
    }

    Metadata template() {
        return template;
    }

    String type() {
        return type;
    }

    Boolean immutable() {
        return immutable;
    }

    /** The manifest in kubeseal's {@code --format yaml} or default JSON shape. */
    public String render(OutputFormat format) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("kind", KIND);
        root.put("apiVersion", API_VERSION);
        metadata.toJson(root);
        ObjectNode spec = root.putObject("spec");
        ObjectNode templateNode = spec.putObject("template");
        template.toJson(templateNode);
        if (!type.isEmpty()) {
            templateNode.put("type", type);
        }
        if (immutable != null) {
            templateNode.put("immutable", immutable);
        }
        ObjectNode data = spec.putObject("encryptedData");
        encryptedData.forEach(data::put);
        return format.render(root);
    }

    @Override
    public String toString() {
        return "SealedSecretManifest[" + metadata.namespace() + "/" + metadata.name() + ", "
                + metadata.scope().wireName() + ", keys=" + encryptedData.keySet() + "]";
    }
}

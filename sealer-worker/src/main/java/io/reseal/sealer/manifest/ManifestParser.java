package io.reseal.sealer.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one Kubernetes object from YAML or JSON and checks its fields. Error messages name the
 * field and the position, never a value: the input may hold plaintext.
 */
final class ManifestParser {

    private static final ObjectReader JSON = reader(new ObjectMapper());
    private static final ObjectReader YAML = reader(new ObjectMapper(new YAMLFactory()));

    private ManifestParser() {
    }

    private static ObjectReader reader(ObjectMapper mapper) {
        return mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).readerFor(JsonNode.class);
    }

    /** The single object in {@code input}, checked to be of {@code apiVersion} and {@code kind}. */
    static ObjectNode readObject(InputStream input, String apiVersion, String kind) {
        byte[] bytes;
        try {
            bytes = input.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + kind + " manifest", e);
        }
        boolean json = startsWithBrace(bytes);
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = (json ? JSON : YAML).readValues(bytes)) {
            while (it.hasNextValue()) {
                JsonNode document = it.nextValue();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        } catch (JsonProcessingException e) {
            throw new InvalidManifestException(syntaxError(json, e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the " + kind + " manifest", e);
        }
        if (documents.isEmpty()) {
            throw new InvalidManifestException("the input is empty; expected a " + kind + " manifest");
        }
        if (documents.size() > 1) {
            throw new InvalidManifestException("the input holds " + documents.size()
                    + " YAML documents; expected exactly one " + kind);
        }
        if (!(documents.get(0) instanceof ObjectNode object)) {
            throw new InvalidManifestException("the input is not a " + kind + " manifest (not a YAML or JSON object)");
        }
        String actualKind = object.path("kind").asText("");
        if (!kind.equals(actualKind)) {
            throw new InvalidManifestException(actualKind.isEmpty() ? "kind is missing; expected " + kind
                    : "kind is " + actualKind + "; expected " + kind);
        }
        String actualVersion = object.path("apiVersion").asText("");
        if (!apiVersion.equals(actualVersion)) {
            throw new InvalidManifestException(actualVersion.isEmpty() ? "apiVersion is missing; expected " + apiVersion
                    : "apiVersion is " + actualVersion + "; expected " + apiVersion);
        }
        return object;
    }

    /** {@code metadata} with a non-empty {@code name}. */
    static Metadata metadata(JsonNode parent, String path) {
        JsonNode meta = parent.path("metadata");
        if (!meta.isObject()) {
            throw new InvalidManifestException(path + "metadata is missing");
        }
        String name = optionalText(meta, "name", path + "metadata.name");
        if (name.isEmpty()) {
            throw new InvalidManifestException(path + "metadata.name is missing");
        }
        return new Metadata(name, optionalText(meta, "namespace", path + "metadata.namespace"),
                stringMap(meta.path("labels"), path + "metadata.labels"),
                stringMap(meta.path("annotations"), path + "metadata.annotations"));
    }

    /** A string field, or {@code ""} when absent or null. */
    static String optionalText(JsonNode parent, String field, String path) {
        JsonNode value = parent.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw new InvalidManifestException(path + " must be a string");
        }
        return value.textValue();
    }

    /** A map of strings, in document order; empty when absent or null. */
    static Map<String, String> stringMap(JsonNode node, String path) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return map;
        }
        if (!node.isObject()) {
            throw new InvalidManifestException(path + " must be a map of strings");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new InvalidManifestException(path + "." + entry.getKey() + " must be a string (quote it in YAML)");
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        return map;
    }

    private static boolean startsWithBrace(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return b == '{';
            }
        }
        return false;
    }

    /** Position only: parser messages may quote the offending text, which may be a secret. */
    private static String syntaxError(boolean json, JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        String original = e.getOriginalMessage();
        if (original != null && original.startsWith("Duplicate field")) {
            return "duplicate key" + where;
        }
        return "the input is not valid " + (json ? "JSON" : "YAML") + where;
    }
}

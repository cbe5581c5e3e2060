package io.reseal.packager.archive;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.pipeline.event.RotationAnnotation;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.SecretScope;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A manifest of a {@code sealed} event is exactly what the sealer writes, or it is refused: one YAML document,
 * a {@code bitnami.com/v1alpha1} SealedSecret named as the secret and in the environment's namespace, the
 * scope annotation the event announces and nothing else, the announced type, and one sealed value (base64) per
 * announced key. Anything more (a second document, a {@code spec.template.data}, a label, a foreign annotation)
 * would end up in a signed, mailed package that a cluster applies, so it is an
 * {@link InvalidPackageInputException}. Stateless and thread-safe.
 */
final class SealedManifestCheck {

    private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec");
    private static final Set<String> METADATA = Set.of("name", "namespace", "creationTimestamp", "annotations");
    private static final Set<String> SPEC = Set.of("template", "encryptedData");
    private static final Set<String> TEMPLATE = Set.of("metadata", "type", "immutable");

    private SealedManifestCheck() {
    }

    static void check(String field, String namespace, String rotationId, RotationSealed.Secret secret) {
        if (secret.manifest() == null || secret.manifest().isBlank()) {
            throw new InvalidPackageInputException(field + ": required");
        }
        List<JsonNode> documents;
        try {
            documents = PackageYaml.readAll(secret.manifest());
        } catch (IllegalArgumentException e) {
            throw new InvalidPackageInputException(field + ": not YAML (" + e.getMessage() + ")");
        }
        if (documents.size() != 1) {
            throw new InvalidPackageInputException(field + ": holds " + documents.size()
                    + " YAML documents, expected exactly one SealedSecret");
        }
        JsonNode manifest = documents.get(0);
        if (!manifest.isObject()) {
            throw new InvalidPackageInputException(field + ": not a bitnami.com/v1alpha1 SealedSecret");
        }
        onlyFields(field + ": the document", manifest, TOP);
        if (!manifest.path("apiVersion").asText().equals("bitnami.com/v1alpha1")
                || !manifest.path("kind").asText().equals("SealedSecret")) {
            throw new InvalidPackageInputException(field + ": not a bitnami.com/v1alpha1 SealedSecret");
        }
        metadata(field + ": metadata", manifest.path("metadata"), namespace, rotationId, secret);
        JsonNode spec = object(field + ": spec", manifest.path("spec"));
        onlyFields(field + ": spec", spec, SPEC);
        JsonNode template = object(field + ": spec.template", spec.path("template"));
        onlyFields(field + ": spec.template", template, TEMPLATE);
        metadata(field + ": spec.template.metadata", template.path("metadata"), namespace, rotationId, secret);
        if (!template.path("type").asText("").equals(secret.type())) {
            throw new InvalidPackageInputException(field + ": spec.template.type is "
                    + PackageInputCheck.quoted(template.path("type").asText("")) + ", the event announces "
                    + PackageInputCheck.quoted(secret.type()));
        }
        if (template.has("immutable") && !template.get("immutable").isBoolean()) {
            throw new InvalidPackageInputException(field + ": spec.template.immutable must be true or false");
        }
        encryptedData(field + ": spec.encryptedData", object(field + ": spec.encryptedData", spec.path("encryptedData")),
                secret);
    }

    private static void metadata(String where, JsonNode node, String namespace, String rotationId,
                                 RotationSealed.Secret secret) {
        JsonNode metadata = object(where, node);
        onlyFields(where, metadata, METADATA);
        if (!metadata.path("name").asText().equals(secret.name())) {
            throw new InvalidPackageInputException(where + ".name is " + PackageInputCheck.quoted(metadata.path("name").asText())
                    + ", expected '" + secret.name() + "'");
        }
        if (!metadata.path("namespace").asText().equals(namespace)) {
            throw new InvalidPackageInputException(where + ".namespace is "
                    + PackageInputCheck.quoted(metadata.path("namespace").asText()) + ", expected '" + namespace + "'");
        }
        if (metadata.has("creationTimestamp") && !metadata.get("creationTimestamp").isNull()) {
            throw new InvalidPackageInputException(where + ".creationTimestamp must be null");
        }
        Map<String, String> expected = scopeAnnotations(secret.scope());
        JsonNode annotations = metadata.path("annotations");
        Map<String, String> actual = new java.util.TreeMap<>();
        if (!annotations.isMissingNode()) {
            object(where + ".annotations", annotations).fields()
                    .forEachRemaining(entry -> actual.put(entry.getKey(), entry.getValue().isTextual()
                            ? entry.getValue().asText() : entry.getValue().toString()));
        }
        // The sealer marks each SealedSecret, and the Secret made from it, with its rotation (adoption tracking);
        // a manifest without the mark is accepted, one naming another rotation is not.
        if (actual.containsKey(RotationAnnotation.KEY) && !actual.get(RotationAnnotation.KEY).equals(rotationId)) {
            throw new InvalidPackageInputException(where + ".annotations: " + RotationAnnotation.KEY + " names another rotation than '"
                    + rotationId + "'");
        }
        actual.remove(RotationAnnotation.KEY);
        if (!actual.equals(expected)) {
            throw new InvalidPackageInputException(where + ".annotations has keys " + PackageInputCheck.quoted(
                    actual.keySet().toString()) + ", expected " + expected.keySet() + " for scope "
                    + (secret.scope() == null ? "null" : secret.scope().wireName()));
        }
    }

    private static Map<String, String> scopeAnnotations(SecretScope scope) {
        return scope == null || scope.annotation() == null ? Map.of() : Map.of(scope.annotation(), "true");
    }

    private static void encryptedData(String where, JsonNode data, RotationSealed.Secret secret) {
        Set<String> sealedKeys = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!PackageInputCheck.SECRET_KEY.matcher(entry.getKey()).matches()) {
                throw new InvalidPackageInputException(where + ": " + PackageInputCheck.quoted(entry.getKey())
                        + " is not a valid Secret key (letters, digits, '-', '_', '.')");
            }
            sealedKeys.add(entry.getKey());
            if (!entry.getValue().isTextual() || !isBase64(entry.getValue().asText())) {
                throw new InvalidPackageInputException(where + "." + PackageInputCheck.quoted(entry.getKey())
                        + " is not a sealed value (standard base64)");
            }
        }
        if (!sealedKeys.equals(new TreeSet<>(secret.keys()))) {
            throw new InvalidPackageInputException(where + " has keys " + sealedKeys
                    + " but the event announces " + new TreeSet<>(secret.keys()));
        }
    }

    private static boolean isBase64(String value) {
        try {
            return !value.isEmpty() && Base64.getDecoder().decode(value).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode object(String where, JsonNode node) {
        if (!node.isObject()) {
            throw new InvalidPackageInputException(where + " is missing or not a mapping");
        }
        return node;
    }

    private static void onlyFields(String where, JsonNode node, Set<String> allowed) {
        Set<String> extra = new TreeSet<>();
        node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name)) {
                extra.add(name);
            }
        });
        if (!extra.isEmpty()) {
            throw new InvalidPackageInputException(where + " has fields the sealer never writes: "
                    + PackageInputCheck.quoted(extra.toString()));
        }
    }
}

package io.reseal.sealer.manifest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reseal.pipeline.event.SecretScope;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The part of a Kubernetes {@code ObjectMeta} that sealing carries: name, namespace, labels and
 * annotations. Maps are copied and sorted (Go sorts map keys when it writes JSON).
 */
record Metadata(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {

    static final String CLUSTER_WIDE = SecretScope.CLUSTER_WIDE.annotation();
    static final String NAMESPACE_WIDE = SecretScope.NAMESPACE_WIDE.annotation();

    Metadata {
        namespace = namespace == null ? "" : namespace;
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        annotations = Collections.unmodifiableMap(new TreeMap<>(annotations));
    }

    /** The scope these annotations declare, as sealed-secrets' {@code SecretScope}: cluster-wide wins. */
    SecretScope scope() {
        if ("true".equals(annotations.get(CLUSTER_WIDE))) {
            return SecretScope.CLUSTER_WIDE;
        }
        if ("true".equals(annotations.get(NAMESPACE_WIDE))) {
            return SecretScope.NAMESPACE_WIDE;
        }
        return SecretScope.STRICT;
    }

    /** These annotations with exactly one scope annotation, as sealed-secrets' {@code UpdateScopeAnnotations}. */
    Metadata withScope(SecretScope scope) {
        Map<String, String> updated = new TreeMap<>(annotations);
        updated.remove(NAMESPACE_WIDE);
        updated.remove(CLUSTER_WIDE);
        if (scope != SecretScope.STRICT) {
            updated.put(scope.annotation(), "true");
        }
        return new Metadata(name, namespace, labels, updated);
    }

    /** These annotations plus {@code extra}; must not touch the scope annotations, which decide the label. */
    Metadata withAnnotations(Map<String, String> extra) {
        if (extra.containsKey(NAMESPACE_WIDE) || extra.containsKey(CLUSTER_WIDE)) {
            throw new IllegalArgumentException("scope annotations are set with withScope, not withAnnotations");
        }
        Map<String, String> updated = new TreeMap<>(annotations);
        updated.putAll(extra);
        return new Metadata(name, namespace, labels, updated);
    }

    /** The OAEP label these values are sealed under. */
    String label() {
        return scope().label(namespace, name);
    }

    /** {@code ObjectMeta} as Go writes it: empty fields omitted, {@code creationTimestamp: null} always. */
    ObjectNode toJson(ObjectNode parent) {
        ObjectNode meta = parent.putObject("metadata");
        meta.put("name", name);
        if (!namespace.isEmpty()) {
            meta.put("namespace", namespace);
        }
        meta.putNull("creationTimestamp");
        if (!labels.isEmpty()) {
            labels.forEach(meta.putObject("labels")::put);
        }
        if (!annotations.isEmpty()) {
            annotations.forEach(meta.putObject("annotations")::put);
        }
        return meta;
    }
}

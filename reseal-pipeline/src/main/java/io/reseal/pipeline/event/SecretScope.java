package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * Where a SealedSecret may be unsealed, exactly as the sealed-secrets controller understands it.
 * The scope decides the RSA-OAEP label, so a value sealed in one scope never opens in another.
 */
public enum SecretScope {
    /** Only under the same namespace and name (the default). Label {@code namespace/name}. */
    STRICT("strict", null),
    /** Under any name in the same namespace. Label {@code namespace}. */
    NAMESPACE_WIDE("namespace-wide", "sealedsecrets.bitnami.com/namespace-wide"),
    /** Anywhere in the cluster. Empty label. */
    CLUSTER_WIDE("cluster-wide", "sealedsecrets.bitnami.com/cluster-wide");

    private final String wireName;
    private final String annotation;

    SecretScope(String wireName, String annotation) {
        this.wireName = wireName;
        this.annotation = annotation;
    }

    /** The name used in configuration, events and on the command line. */
    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** The {@code "true"}-valued annotation kubeseal writes for this scope, or {@code null} for strict. */
    public String annotation() {
        return annotation;
    }

    /** The OAEP label for a secret of this scope, as {@code EncryptionLabel} in sealed-secrets derives it. */
    public String label(String namespace, String name) {
        return switch (this) {
            case STRICT -> namespace + "/" + name;
            case NAMESPACE_WIDE -> namespace;
            case CLUSTER_WIDE -> "";
        };
    }

    /** Parses a wire name; the error names the accepted values. */
    @JsonCreator
    public static SecretScope of(String wireName) {
        String wanted = wireName == null ? "" : wireName.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(s -> s.wireName.equals(wanted))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown scope '" + wireName + "': expected strict, namespace-wide or cluster-wide"));
    }
}

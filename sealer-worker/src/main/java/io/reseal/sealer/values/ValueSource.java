package io.reseal.sealer.values;

import io.reseal.pipeline.event.RequestRules;

/**
 * Where the value of one key of a bundle comes from. Exactly one field is set. Holds no credential
 * itself except {@code literal}, which is meant for non-secret settings such as endpoints.
 *
 * @param literal the value as written in the configuration (non-secret settings)
 * @param env the name of an environment variable of the sealer
 * @param file a file readable by the sealer
 * @param secret a key of a Kubernetes Secret
 * @param generate a generator run fresh for each rotation
 */
public record ValueSource(String literal, String env, String file, SecretKeyRef secret, Generator generate) {

    public ValueSource {
        int given = (literal != null ? 1 : 0) + (env != null ? 1 : 0) + (file != null ? 1 : 0)
                + (secret != null ? 1 : 0) + (generate != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException("a key's value needs exactly one of literal, env, file, secret, generate");
        }
    }

    /** What this source is, for messages: never the value. */
    public String describe() {
        if (literal != null) return "a literal";
        if (env != null) return "environment variable " + env;
        if (file != null) return "file " + file;
        if (secret != null) return "key '" + secret.key() + "' of Secret " + secret.namespace() + "/" + secret.name()
                + (secret.cluster() != null ? " in cluster " + secret.cluster() : "");
        return "a " + generate.kind() + " generator";
    }

    /**
     * A key of a Kubernetes Secret.
     *
     * @param cluster which configured cluster to read it from; {@code null} for the first
     */
    public record SecretKeyRef(String cluster, String namespace, String name, String key) {

        public SecretKeyRef {
            if (namespace == null || name == null || key == null) {
                throw new IllegalArgumentException("secret needs namespace, name and key");
            }
            if (!RequestRules.DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("secret.namespace '" + RequestRules.printable(namespace)
                        + "' is not a DNS-1123 label");
            }
        }
    }
}

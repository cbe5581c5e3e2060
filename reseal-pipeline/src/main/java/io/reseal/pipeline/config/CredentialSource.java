package io.reseal.pipeline.config;

/**
 * Where one credential of a delivery comes from (a Git user name, token or SSH key): exactly one of
 * {@code literal} (for non-secret values such as a user name), {@code env} (an environment variable of the
 * service that uses it) or {@code file} (a file it can read). Holds no secret itself unless {@code literal}
 * is used, and {@link #describe()} never shows the value.
 */
public record CredentialSource(String literal, String env, String file) {

    public CredentialSource {
        int given = (literal != null ? 1 : 0) + (env != null ? 1 : 0) + (file != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException("needs exactly one of literal, env, file");
        }
        if (env != null && env.isBlank() || file != null && file.isBlank()) {
            throw new IllegalArgumentException("env and file must not be blank");
        }
    }

    /** What this source is, for messages: never the value. */
    public String describe() {
        if (literal != null) return "a literal";
        if (env != null) return "environment variable " + env;
        return "file " + file;
    }
}

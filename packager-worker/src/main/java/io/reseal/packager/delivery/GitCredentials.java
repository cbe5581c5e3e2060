package io.reseal.packager.delivery;

import io.reseal.pipeline.config.CredentialSource;
import io.reseal.pipeline.config.GitDeliveryConfig.GitCredentialsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The packager's own login to a team's repository (a user name and an access token), resolved once from the
 * configured {@link CredentialSource}s. The token is the packager's credential, not a sealed value, but it is
 * treated the same way: {@link #toString()} masks it and {@link #scrub(String)} removes it from any text (a
 * server's error message) before that text reaches a log, an event or an exception. Immutable, thread-safe.
 */
final class GitCredentials {

    /** Git hosts ignore the user name of a token login but need one; GitLab and GitHub document this one. */
    static final String TOKEN_USER = "oauth2";

    private static final GitCredentials NONE = new GitCredentials(null, null);

    private final String username;
    private final String password;

    private GitCredentials(String username, String password) {
        this.username = username;
        this.password = password;
    }

    static GitCredentials none() {
        return NONE;
    }

    /**
     * Resolves {@code config} ({@code null}: no login) with {@code env} for environment variables.
     *
     * @throws IllegalArgumentException naming the source (never its value) that is missing or empty
     */
    static GitCredentials resolve(GitCredentialsConfig config, Function<String, String> env) {
        if (config == null) return NONE;
        String user = config.username() == null ? TOKEN_USER : read("credentials.username", config.username(), env);
        return new GitCredentials(user, read("credentials.password", config.password(), env));
    }

    private static String read(String key, CredentialSource source, Function<String, String> env) {
        String value;
        if (source.literal() != null) {
            value = source.literal();
        } else if (source.env() != null) {
            value = env.apply(source.env());
        } else {
            try {
                value = Files.readString(Path.of(source.file()), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException(key + ": cannot read " + source.describe() + " ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + ": " + source.describe() + " is not set or empty");
        }
        return value;
    }

    /** A JGit login with these credentials, or {@code null} when there are none. */
    CredentialsProvider provider() {
        return password == null ? null : new UsernamePasswordCredentialsProvider(username, password);
    }

    /** {@code text} with every occurrence of the token replaced by {@code ****}. */
    String scrub(String text) {
        if (text == null || password == null) return text;
        return text.replace(password, "****");
    }

    @Override
    public String toString() {
        return password == null ? "GitCredentials[none]" : "GitCredentials[username=" + username + ", password=****]";
    }
}

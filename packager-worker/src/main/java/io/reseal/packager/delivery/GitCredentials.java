package io.reseal.packager.delivery;

import io.reseal.pipeline.config.CredentialSource;
import io.reseal.pipeline.config.GitDeliveryConfig;
import io.reseal.pipeline.config.GitDeliveryConfig.GitCredentialsConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * The packager's own login to a team's repository, resolved once from the configured {@link CredentialSource}s:
 * over HTTP(S) a user name and an access token, over SSH a private key (OpenSSH or PEM, decrypted with its
 * passphrase at start-up and then held in memory only) with the server's host keys to check. These are the
 * packager's credentials, not sealed values, but they are treated the same way: {@link #toString()} masks them and
 * {@link #scrub(String)} removes the token and the passphrase from any text (a server's error message) before that
 * text reaches a log, an event or an exception. Immutable, thread-safe.
 */
final class GitCredentials {

    /** Git hosts ignore the user name of a token login but need one; GitLab and GitHub document this one. */
    static final String TOKEN_USER = "oauth2";

    private static final GitCredentials NONE = new GitCredentials(null, null, List.of(), null, null);

    private final String username;
    private final String password;
    private final List<KeyPair> sshKeys;
    private final String sshKeyPassphrase;
    private final SshHostKeys hostKeys;

    private GitCredentials(String username, String password, List<KeyPair> sshKeys, String sshKeyPassphrase,
                           SshHostKeys hostKeys) {
        this.username = username;
        this.password = password;
        this.sshKeys = List.copyOf(sshKeys);
        this.sshKeyPassphrase = sshKeyPassphrase;
        this.hostKeys = hostKeys;
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
        return new GitCredentials(user, read("credentials.password", config.password(), env), List.of(), null, null);
    }

    /**
     * Resolves the login to {@code git}'s repository: {@link #resolve(GitCredentialsConfig, Function)} for HTTP(S),
     * git and file URLs; for an {@code ssh://} URL its key (decrypted now) and the host keys it accepts.
     *
     * @throws IllegalArgumentException naming the key (never its value) that is missing, empty or unreadable, or
     *     a private key that is not one or whose passphrase does not open it
     */
    static GitCredentials resolve(GitDeliveryConfig git, Function<String, String> env) {
        if (!git.ssh()) return resolve(git.credentials(), env);
        GitCredentialsConfig config = git.credentials();
        String passphrase = config.sshKeyPassphrase() == null ? null
                : read("credentials.sshKeyPassphrase", config.sshKeyPassphrase(), env);
        List<KeyPair> keys = privateKeys(read("credentials.sshKey", config.sshKey(), env), passphrase, config.sshKey());
        return new GitCredentials(null, null, keys, passphrase, SshHostKeys.resolve(git, env));
    }

    private static List<KeyPair> privateKeys(String text, String passphrase, CredentialSource source) {
        List<KeyPair> keys = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream((text + "\n").getBytes(StandardCharsets.UTF_8))) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("credentials.sshKey"),
                    in, passphrase == null ? FilePasswordProvider.EMPTY : FilePasswordProvider.of(passphrase));
            if (loaded != null) loaded.forEach(keys::add);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("credentials.sshKey: " + source.describe() + " is not a private key"
                    + " that can be read (OpenSSH or PEM" + (passphrase == null
                    ? "; an encrypted key needs credentials.sshKeyPassphrase" : ", opened with credentials.sshKeyPassphrase")
                    + "): " + e.getClass().getSimpleName());
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("credentials.sshKey: " + source.describe()
                    + " holds no private key (OpenSSH or PEM)");
        }
        return keys;
    }

    /** The value of {@code source}, stripped of surrounding white space; {@code key} names it in messages. */
    static String read(String key, CredentialSource source, Function<String, String> env) {
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

    /** A JGit login with these credentials, or {@code null} when there are none (or the login is SSH). */
    CredentialsProvider provider() {
        return password == null ? null : new UsernamePasswordCredentialsProvider(username, password);
    }

    /** A new SSH client for one delivery (close it after), or {@code null} when the login is not SSH. */
    SshClient sshClient() {
        return sshKeys.isEmpty() ? null : new SshClient(sshKeys, hostKeys);
    }

    /** {@code text} with every occurrence of the token (or the key's passphrase) replaced by {@code ****}. */
    String scrub(String text) {
        if (text == null) return null;
        String scrubbed = password == null ? text : text.replace(password, "****");
        return sshKeyPassphrase == null ? scrubbed : scrubbed.replace(sshKeyPassphrase, "****");
    }

    @Override
    public String toString() {
        if (!sshKeys.isEmpty()) return "GitCredentials[sshKey=****]";
        return password == null ? "GitCredentials[none]" : "GitCredentials[username=" + username + ", password=****]";
    }
}

package io.reseal.pipeline.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import io.reseal.pipeline.event.RequestRules;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A workflow's Git delivery ({@code workflows[].delivery.git}): the packager commits the environment folders of
 * each rotation under {@code path} of {@code branch} in the repository at {@code url}. Immutable; validated on
 * construction with messages that name the key and never show a credential.
 *
 * @param url {@code https://}, {@code http://}, {@code git://}, {@code file://} or {@code ssh://user@host/...}
 *     (in YAML also scp-like {@code user@host:org/repo.git}, read as {@code ssh://user@host/org/repo.git}); no
 *     password in it (credentials go in {@code credentials}), a user name only in an SSH URL (the SSH login), no
 *     query or fragment
 * @param branch the branch the rotation lands on (push) or targets (merge-request); default {@code main}
 * @param path the folder of the repository the environment folders go under; default the repository root
 * @param mode {@code push} (default) or {@code merge-request}
 * @param credentials how to log in; {@code null} for none (a {@code file://} or open {@code git://} repository);
 *     required for {@code ssh://}, with {@code sshKey}
 * @param knownHosts SSH only: {@code known_hosts} lines listing the server's host key (public data, but a value
 *     source like the credentials so that it can come from a mounted file)
 * @param hostKeyFingerprint SSH only: the server's host key as {@code ssh-keygen -l} prints it,
 *     {@code SHA256:<43 base64 characters>}; an SSH URL needs this or {@code knownHosts} (no key is trusted
 *     blindly)
 */
public record GitDeliveryConfig(@JsonDeserialize(using = GitDeliveryConfig.UrlReader.class) URI url, String branch,
                                String path, Mode mode, GitCredentialsConfig credentials, CredentialSource knownHosts,
                                String hostKeyFingerprint) {

    public static final String DEFAULT_BRANCH = "main";

    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}=?");
    /** {@code user@host:path}, as Git's scp-like syntax (no scheme, the path not starting with {@code //}). */
    private static final Pattern SCP_LIKE = Pattern.compile("([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(?!/)([^\\s]+)");

    public GitDeliveryConfig {
        url = requireUrl(url);
        branch = branch == null ? DEFAULT_BRANCH : requireBranch(branch);
        path = path == null ? "" : requirePath(path);
        mode = mode == null ? Mode.PUSH : mode;
        if (isSsh(url)) {
            if (credentials == null || credentials.sshKey() == null) {
                throw new IllegalArgumentException("credentials.sshKey: required for an ssh:// URL (the packager's"
                        + " private key)");
            }
            if (knownHosts == null && hostKeyFingerprint == null) {
                throw new IllegalArgumentException("knownHosts or hostKeyFingerprint: required for an ssh:// URL"
                        + " (the server's host key is never trusted blindly)");
            }
            if (hostKeyFingerprint != null && !FINGERPRINT.matcher(hostKeyFingerprint.strip()).matches()) {
                throw new IllegalArgumentException("hostKeyFingerprint: not a SHA256 fingerprint as ssh-keygen -l"
                        + " prints it (SHA256: and 43 base64 characters)");
            }
            hostKeyFingerprint = hostKeyFingerprint == null ? null : hostKeyFingerprint.strip();
        } else {
            if (credentials != null && credentials.sshKey() != null) {
                throw new IllegalArgumentException("credentials.sshKey: only for an ssh:// URL; over "
                        + url.getScheme() + " use a password (an access token)");
            }
            if (knownHosts != null || hostKeyFingerprint != null) {
                throw new IllegalArgumentException((knownHosts != null ? "knownHosts" : "hostKeyFingerprint")
                        + ": only for an ssh:// URL");
            }
        }
    }

    /** A delivery without SSH settings (the URL is not {@code ssh://}). */
    public GitDeliveryConfig(URI url, String branch, String path, Mode mode, GitCredentialsConfig credentials) {
        this(url, branch, path, mode, credentials, null, null);
    }

    /** Whether the packager reaches this repository over SSH. */
    public boolean ssh() {
        return isSsh(url);
    }

    private static boolean isSsh(URI url) {
        return "ssh".equalsIgnoreCase(url.getScheme());
    }

    /**
     * {@code text} as a repository URL: Git's scp-like {@code user@host:org/repo.git} becomes
     * {@code ssh://user@host/org/repo.git} (what Git hosts serve alike), anything else is read as a URI.
     *
     * @throws IllegalArgumentException (key {@code url}) if it is neither; the message does not repeat the text
     */
    public static URI parseUrl(String text) {
        var scp = SCP_LIKE.matcher(text.strip());
        String uri = scp.matches() ? "ssh://" + scp.group(1) + "@" + scp.group(2) + "/" + scp.group(3) : text.strip();
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: not a URL (https://host/org/repo.git, ssh://git@host/org/repo.git"
                    + " or git@host:org/repo.git)");
        }
    }

    /** Reads {@code url} with {@link #parseUrl}, so that YAML may use the scp-like form. */
    static final class UrlReader extends StdScalarDeserializer<URI> {
        UrlReader() {
            super(URI.class);
        }

        @Override
        public URI deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = parser.getValueAsString();
            if (text == null) return (URI) context.handleUnexpectedToken(URI.class, parser);
            return parseUrl(text);
        }
    }

    /** How the rotation reaches the branch. */
    public enum Mode {
        /** One commit pushed onto the branch. */
        PUSH("push"),
        /** One commit on a branch {@code reseal/<rotation-id>}, with a merge request where the host supports it. */
        MERGE_REQUEST("merge-request");

        private final String yaml;

        Mode(String yaml) {
            this.yaml = yaml;
        }

        @JsonValue
        public String yaml() {
            return yaml;
        }

        @JsonCreator
        public static Mode of(String value) {
            for (Mode mode : values()) {
                if (mode.yaml.equals(value)) return mode;
            }
            throw new IllegalArgumentException("mode: '" + value + "' is not push or merge-request");
        }
    }

    /**
     * How the packager logs in to the repository: over HTTP(S) {@code username} (default {@code oauth2}, what token
     * logins at GitLab and GitHub accept) and {@code password} (an access token); over SSH {@code sshKey} (a private
     * key, OpenSSH or PEM) and, for an encrypted key, {@code sshKeyPassphrase}. Exactly one of {@code password} and
     * {@code sshKey}.
     */
    public record GitCredentialsConfig(CredentialSource username, CredentialSource password, CredentialSource sshKey,
                                       CredentialSource sshKeyPassphrase) {

        public GitCredentialsConfig {
            if (password == null && sshKey == null) {
                throw new IllegalArgumentException("credentials.password: required (an access token), or sshKey for"
                        + " an ssh:// URL");
            }
            if (password != null && sshKey != null) {
                throw new IllegalArgumentException("credentials: password or sshKey, not both");
            }
            if (sshKey != null && username != null) {
                throw new IllegalArgumentException("credentials.username: not used with sshKey (the SSH user is the"
                        + " URL's, e.g. ssh://git@host/...)");
            }
            if (sshKey == null && sshKeyPassphrase != null) {
                throw new IllegalArgumentException("credentials.sshKeyPassphrase: only with sshKey");
            }
        }

        /** A token login (HTTP(S)). */
        public GitCredentialsConfig(CredentialSource username, CredentialSource password) {
            this(username, password, null, null);
        }

        /** A key login (SSH); {@code passphrase} {@code null} for a key without one. */
        public static GitCredentialsConfig sshKey(CredentialSource key, CredentialSource passphrase) {
            return new GitCredentialsConfig(null, null, key, passphrase);
        }
    }

    private static URI requireUrl(URI url) {
        if (url == null) {
            throw new IllegalArgumentException("url: required (https://, ssh://, git:// or file://)");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") && !scheme.equals("git") && !scheme.equals("file")
                && !scheme.equals("ssh")) {
            throw new IllegalArgumentException("url: scheme '" + scheme
                    + "' is not supported: use https, http, ssh, git or file");
        }
        if (scheme.equals("ssh")) {
            if (url.getRawUserInfo() == null || url.getRawUserInfo().isBlank()) {
                throw new IllegalArgumentException("url: an ssh:// URL names its SSH user (ssh://git@" + url.getHost()
                        + "/... or git@" + url.getHost() + ":...)");
            }
            if (url.getRawUserInfo().contains(":")) {
                throw new IllegalArgumentException("url: ssh://" + url.getHost()
                        + "...: no password in the URL; the login is credentials.sshKey");
            }
        } else if (url.getRawUserInfo() != null) {
            // a token in a URL would be logged wherever the URL is
            throw new IllegalArgumentException("url: " + scheme + "://" + url.getHost()
                    + "...: put credentials in 'credentials', not in the URL");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException("url: no query or fragment allowed");
        }
        if (!scheme.equals("file") && (url.getHost() == null || url.getHost().isBlank())) {
            throw new IllegalArgumentException("url: '" + url + "' has no host");
        }
        if (url.getPath() == null || url.getPath().isBlank() || url.getPath().equals("/")) {
            throw new IllegalArgumentException("url: '" + url + "' names no repository");
        }
        try {
            return new URI(url.toString()); // normalised copy
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url: " + e.getMessage());
        }
    }

    private static String requireBranch(String branch) {
        if (!BRANCH.matcher(branch).matches() || branch.contains("..") || branch.contains("//")
                || branch.endsWith("/") || branch.endsWith(".lock") || branch.endsWith(".")) {
            throw new IllegalArgumentException("branch: '" + RequestRules.printable(branch)
                    + "' is not a valid branch name");
        }
        return branch;
    }

    private static String requirePath(String path) {
        String trimmed = path.strip();
        while (trimmed.endsWith("/")) trimmed = trimmed.substring(0, trimmed.length() - 1);
        if (trimmed.isEmpty()) return "";
        for (String segment : trimmed.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new IllegalArgumentException("path: '" + RequestRules.printable(path)
                        + "' must be a relative folder of plain names (letters, digits, '.', '_', '-'), no '..'");
            }
        }
        return trimmed;
    }
}

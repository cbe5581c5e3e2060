package io.reseal.pipeline.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
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
 * @param url {@code https://}, {@code http://}, {@code git://} or {@code file://} ({@code ssh://} is not
 *     supported yet); no user info (credentials go in {@code credentials}), no query or fragment
 * @param branch the branch the rotation lands on (push) or targets (merge-request); default {@code main}
 * @param path the folder of the repository the environment folders go under; default the repository root
 * @param mode {@code push} (default) or {@code merge-request}
 * @param credentials how to log in; {@code null} for none (a {@code file://} or open {@code git://} repository)
 */
public record GitDeliveryConfig(URI url, String branch, String path, Mode mode, GitCredentialsConfig credentials) {

    public static final String DEFAULT_BRANCH = "main";

    private static final Pattern BRANCH = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public GitDeliveryConfig {
        url = requireUrl(url);
        branch = branch == null ? DEFAULT_BRANCH : requireBranch(branch);
        path = path == null ? "" : requirePath(path);
        mode = mode == null ? Mode.PUSH : mode;
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
     * How the packager logs in to the repository over HTTP(S): {@code username} (default {@code oauth2}, what token
     * logins at GitLab and GitHub accept) and {@code password} (an access token). {@code sshKey} is the contract's
     * key for SSH logins, which are not supported yet: giving it fails with a message that says so.
     */
    public record GitCredentialsConfig(CredentialSource username, CredentialSource password, CredentialSource sshKey) {

        public GitCredentialsConfig {
            if (sshKey != null) {
                throw new IllegalArgumentException("credentials.sshKey: SSH delivery is not supported yet; use an"
                        + " https:// URL with a password (an access token)");
            }
            if (password == null) {
                throw new IllegalArgumentException("credentials.password: required (an access token)");
            }
        }
    }

    private static URI requireUrl(URI url) {
        if (url == null) {
            throw new IllegalArgumentException("url: required (https://, ssh://, git:// or file://)");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("ssh")) {
            throw new IllegalArgumentException("url: ssh:// is not supported yet; use the repository's https:// URL"
                    + " with an access token");
        }
        if (!scheme.equals("https") && !scheme.equals("http") && !scheme.equals("git") && !scheme.equals("file")) {
            throw new IllegalArgumentException("url: scheme '" + scheme
                    + "' is not supported: use https, http, git or file");
        }
        if (url.getRawUserInfo() != null) {
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

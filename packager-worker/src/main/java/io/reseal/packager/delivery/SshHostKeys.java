package io.reseal.packager.delivery;

import io.reseal.pipeline.config.GitDeliveryConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/**
 * The host keys the packager accepts from one repository's SSH server: the keys of the {@code knownHosts} lines that
 * name the URL's host and port, and the key whose SHA-256 fingerprint is {@code hostKeyFingerprint}; a key a
 * {@code @revoked} line names is refused whatever else says. Resolved once at start-up; nothing else is trusted
 * (no {@code ~/.ssh/known_hosts}, no trust on first use). Immutable, thread-safe.
 */
final class SshHostKeys {

    private static final int DEFAULT_PORT = 22;

    private final List<PublicKey> known;
    private final List<PublicKey> revoked;
    private final String fingerprint;

    private SshHostKeys(List<PublicKey> known, List<PublicKey> revoked, String fingerprint) {
        this.known = List.copyOf(known);
        this.revoked = List.copyOf(revoked);
        this.fingerprint = fingerprint;
    }

    /**
     * The host keys {@code git} (an {@code ssh://} delivery) accepts, {@code knownHosts} read with {@code env}.
     *
     * @throws IllegalArgumentException naming the key ({@code knownHosts}) that cannot be read, has a line that is
     *     not a {@code known_hosts} line, or has no line for the URL's host; never showing its content
     */
    static SshHostKeys resolve(GitDeliveryConfig git, Function<String, String> env) {
        List<PublicKey> known = new ArrayList<>();
        List<PublicKey> revoked = new ArrayList<>();
        if (git.knownHosts() != null) {
            String host = git.url().getHost();
            int port = git.url().getPort() < 0 ? DEFAULT_PORT : git.url().getPort();
            String lines = GitCredentials.read("knownHosts", git.knownHosts(), env);
            int number = 0;
            for (String line : lines.split("\n", -1)) {
                number++;
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) continue;
                KnownHostEntry entry = parse(text, number);
                if (!entry.isHostMatch(host, port) || "cert-authority".equals(entry.getMarker())) continue;
                PublicKey key = publicKey(entry, number);
                ("revoked".equals(entry.getMarker()) ? revoked : known).add(key);
            }
            if (known.isEmpty()) {
                throw new IllegalArgumentException("knownHosts: no line for " + (port == DEFAULT_PORT ? host
                        : "[" + host + "]:" + port) + " (" + git.knownHosts().describe() + ")");
            }
        }
        return new SshHostKeys(known, revoked, git.hostKeyFingerprint());
    }

    private static KnownHostEntry parse(String line, int number) {
        KnownHostEntry entry;
        try {
            entry = KnownHostEntry.parseKnownHostEntry(line);
        } catch (RuntimeException e) {
            entry = null;
        }
        if (entry == null || entry.getKeyEntry() == null) {
            throw new IllegalArgumentException("knownHosts: line " + number + " is not a known_hosts line"
                    + " (<host patterns> <key type> <base64 key>)");
        }
        return entry;
    }

    private static PublicKey publicKey(KnownHostEntry entry, int number) {
        try {
            return entry.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("knownHosts: line " + number + " has a key that cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Whether the server may show {@code key}. */
    boolean accepts(PublicKey key) {
        if (revoked.stream().anyMatch(r -> KeyUtils.compareKeys(r, key))) return false;
        if (known.stream().anyMatch(k -> KeyUtils.compareKeys(k, key))) return true;
        return fingerprint != null && stripPadding(fingerprint).equals(stripPadding(KeyUtils.getFingerPrint(key)));
    }

    /** The keys {@code knownHosts} lists for the server (SSH prefers their algorithms). */
    List<PublicKey> known() {
        return known;
    }

    /** Which settings the server's key was checked against, for messages. */
    String checkedAgainst() {
        if (fingerprint != null && !known.isEmpty()) return "knownHosts and hostKeyFingerprint";
        return fingerprint != null ? "hostKeyFingerprint " + fingerprint : "knownHosts";
    }

    private static String stripPadding(String fingerprint) {
        return fingerprint.endsWith("=") ? fingerprint.substring(0, fingerprint.length() - 1) : fingerprint;
    }
}

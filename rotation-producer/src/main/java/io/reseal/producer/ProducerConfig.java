package io.reseal.producer;

import io.reseal.pipeline.event.RequestRules;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code api:} section of {@code reseal.yaml} (the producer's settings). Immutable; validated on construction with messages
 * that name the offending key. Holds API tokens only as SHA-256 hashes: a plaintext token given to
 * {@link #withPlaintextToken} is hashed at once and never kept, logged or shown by {@link #toString()}.
 *
 * @param port the HTTP API's port (default 8080; 0 picks a free one)
 * @param publicBaseUrl how clients reach the API, used for {@code statusUrl} (default {@code http://localhost:<port>})
 * @param tokens who may call the API and for which workflows
 * @param leaderElection the Lease the scheduler replicas elect a leader with; {@code null}: this instance fires
 * @param bindAddress the address the API listens on (default {@value #ALL_ADDRESSES}, every interface; {@code reseal local}
 *        sets {@code 127.0.0.1})
 */
public record ProducerConfig(Integer port, URI publicBaseUrl, List<ApiToken> tokens, LeaderElection leaderElection,
                             String bindAddress) {

    /** The workflow pattern that allows every workflow and platform-wide rotations. */
    public static final String ALL_WORKFLOWS = "*";
    /** Requests per minute of the token given in plaintext (local mode, benchmarks, end-to-end tests). */
    static final int PLAINTEXT_TOKEN_RATE = 600;
    /** The default {@code api.bindAddress}: every interface, as a service in a container needs. */
    public static final String ALL_ADDRESSES = "0.0.0.0";

    public ProducerConfig {
        port = port == null ? 8080 : port;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("api.port must be between 0 and 65535, got " + port);
        }
        if (publicBaseUrl != null && (publicBaseUrl.getScheme() == null || publicBaseUrl.getHost() == null
                || !publicBaseUrl.getScheme().matches("https?"))) {
            throw new IllegalArgumentException("api.publicBaseUrl must be an absolute http(s) URL");
        }
        bindAddress = bindAddress == null ? ALL_ADDRESSES : bindAddress;
        if (bindAddress.isBlank() || bindAddress.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("api.bindAddress must be an IP address or host name, without whitespace");
        }
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        Set<String> names = new HashSet<>();
        Set<String> hashes = new HashSet<>();
        for (ApiToken token : tokens) {
            if (!names.add(token.name())) {
                throw new IllegalArgumentException("api.tokens: name '" + token.name() + "' is used twice");
            }
            if (!hashes.add(token.sha256())) {
                throw new IllegalArgumentException("api.tokens." + token.name() + ".sha256: same hash as another token");
            }
        }
    }

    public static ProducerConfig defaults() {
        return new ProducerConfig(null, null, null, null, null);
    }

    /** The base of {@code statusUrl}s, without a trailing slash. */
    public String statusBase(int boundPort) {
        String base = publicBaseUrl != null ? publicBaseUrl.toString() : "http://localhost:" + boundPort;
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * This configuration plus a token for every workflow named {@code name}, given in plaintext (local mode:
     * {@code RESEAL_API_TOKEN}), allowed {@value #PLAINTEXT_TOKEN_RATE} requests per minute. Only the token's hash
     * is kept.
     */
    public ProducerConfig withPlaintextToken(String name, String plaintext) {
        if (plaintext == null || plaintext.length() < 16) {
            throw new IllegalArgumentException("RESEAL_API_TOKEN must be at least 16 characters");
        }
        List<ApiToken> all = new ArrayList<>(tokens);
        all.add(new ApiToken(name, ApiToken.sha256Hex(plaintext), List.of(ALL_WORKFLOWS), PLAINTEXT_TOKEN_RATE));
        return new ProducerConfig(port, publicBaseUrl, all, leaderElection, bindAddress);
    }

    public ProducerConfig withPort(int newPort) {
        return new ProducerConfig(newPort, publicBaseUrl, tokens, leaderElection, bindAddress);
    }

    /**
     * One API token. {@code toString()} shows only the start of the hash.
     *
     * @param name who holds it (shown in logs and events' {@code reason}, never the token)
     * @param sha256 lower-case hex SHA-256 of the token's UTF-8 bytes ({@code printf %s TOKEN | sha256sum})
     * @param workflows the workflows it may rotate (and see the status of); {@code *} for all, and for
     *     platform-wide rotations
     * @param requestsPerMinute how many rotation requests it may make per minute and replica (default 60)
     */
    public record ApiToken(String name, String sha256, List<String> workflows, Integer requestsPerMinute) {

        private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

        /** A token with the default rate limit. */
        public ApiToken(String name, String sha256, List<String> workflows) {
            this(name, sha256, workflows, null);
        }

        public ApiToken {
            if (name == null || !RequestRules.DNS_LABEL.matcher(name).matches() || name.length() > 63) {
                throw new IllegalArgumentException("api.tokens: name must be a DNS-1123 label, got '"
                        + RequestRules.printable(name) + "'");
            }
            String where = "api.tokens." + name;
            if (sha256 == null || !SHA256_HEX.matcher(sha256).matches()) {
                throw new IllegalArgumentException(where + ".sha256 must be 64 lower-case hex digits "
                        + "(the SHA-256 of the token, not the token)");
            }
            if (workflows == null || workflows.isEmpty()) {
                throw new IllegalArgumentException(where + ".workflows: list the workflows it may rotate, or '*'");
            }
            workflows = List.copyOf(workflows);
            requestsPerMinute = requestsPerMinute == null ? 60 : requestsPerMinute;
            if (requestsPerMinute < 1) {
                throw new IllegalArgumentException(where + ".requestsPerMinute must be at least 1");
            }
            for (String workflow : workflows) {
                if (!ALL_WORKFLOWS.equals(workflow)) {
                    RequestRules.workflow(workflow).ifPresent(e -> {
                        throw new IllegalArgumentException(where + ".workflows: " + e.message());
                    });
                }
            }
        }

        /** Whether this token may rotate {@code workflow}; only an all-workflows token may use {@code *}. */
        public boolean allows(String workflow) {
            return workflows.contains(ALL_WORKFLOWS) || workflows.contains(workflow);
        }

        /** The hex SHA-256 of a token's UTF-8 bytes, as {@code sha256} expects it. */
        public static String sha256Hex(String token) {
            return HexFormat.of().formatHex(sha256(token));
        }

        /** The SHA-256 of a token's UTF-8 bytes. */
        public static byte[] sha256(String token) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available", e);
            }
        }

        @Override
        public String toString() {
            return "ApiToken[name=" + name + ", sha256=" + sha256.substring(0, 8) + "..., workflows=" + workflows + "]";
        }
    }

    /**
     * Leader election of scheduler replicas through a Kubernetes Lease (only the leader fires schedules).
     *
     * @param namespace where the Lease lives
     * @param leaseName the Lease's name (default {@code reseal-scheduler})
     */
    public record LeaderElection(String namespace, String leaseName) {

        public LeaderElection {
            if (namespace == null || !RequestRules.DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("api.leaderElection.namespace must be a DNS-1123 label");
            }
            leaseName = leaseName == null ? "reseal-scheduler" : leaseName;
            if (!RequestRules.DNS_LABEL.matcher(leaseName).matches()) {
                throw new IllegalArgumentException("api.leaderElection.leaseName must be a DNS-1123 label");
            }
        }
    }
}

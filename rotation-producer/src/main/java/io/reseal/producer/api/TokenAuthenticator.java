package io.reseal.producer.api;

import io.reseal.producer.ProducerConfig.ApiToken;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Finds the configured token behind an {@code Authorization: Bearer} header. The presented token is hashed
 * and compared with every configured hash by {@link MessageDigest#isEqual} (constant time), without
 * stopping at the first match, so timing tells nothing about which hashes exist. Stateless, thread-safe.
 */
final class TokenAuthenticator {

    private static final String BEARER = "bearer ";

    private final List<ApiToken> tokens;
    private final List<byte[]> hashes;

    TokenAuthenticator(List<ApiToken> tokens) {
        this.tokens = List.copyOf(tokens);
        this.hashes = tokens.stream().map(t -> HexFormat.of().parseHex(t.sha256())).toList();
    }

    /** The token of {@code authorization}, if it is a Bearer token that is configured. */
    Optional<ApiToken> authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        byte[] presented = ApiToken.sha256(authorization.substring(BEARER.length()).trim());
        ApiToken match = null;
        for (int i = 0; i < hashes.size(); i++) {
            if (MessageDigest.isEqual(presented, hashes.get(i))) {
                match = tokens.get(i);
            }
        }
        return Optional.ofNullable(match);
    }
}

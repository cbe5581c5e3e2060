package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.producer.ProducerConfig.ApiToken;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenAuthenticatorTest {

    private final ApiToken team = new ApiToken("team", ApiToken.sha256Hex("team-token-0123456789"), List.of("financial-ml"));
    private final ApiToken infra = new ApiToken("infra", ApiToken.sha256Hex("infra-token-0123456789"), List.of("*"));
    private final TokenAuthenticator authenticator = new TokenAuthenticator(List.of(team, infra));

    @Test
    void findsTheConfiguredTokenOfABearerHeader() {
        assertThat(authenticator.authenticate("Bearer team-token-0123456789")).contains(team);
        assertThat(authenticator.authenticate("bearer infra-token-0123456789")).contains(infra);
    }

    @Test
    void rejectsMissingUnknownAndNonBearerCredentials() {
        assertThat(authenticator.authenticate(null)).isEmpty();
        assertThat(authenticator.authenticate("Bearer ")).isEmpty();
        assertThat(authenticator.authenticate("Bearer team-token-012345678")).isEmpty();
        assertThat(authenticator.authenticate("Basic team-token-0123456789")).isEmpty();
        // the hash itself is not a token
        assertThat(authenticator.authenticate("Bearer " + team.sha256())).isEmpty();
    }
}

package io.reseal.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.producer.ProducerConfig.ApiToken;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProducerConfigTest {

    private static final String HASH = ApiToken.sha256Hex("a-long-enough-token");

    @Test
    void defaults() {
        ProducerConfig config = ProducerConfig.defaults();

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.tokens()).isEmpty();
        assertThat(config.statusBase(8080)).isEqualTo("http://localhost:8080");
        assertThat(config.leaderElection()).isNull();
    }

    @Test
    void publicBaseUrlIsTheStatusBaseWithoutTrailingSlash() {
        ProducerConfig config = new ProducerConfig(null, URI.create("https://reseal.example.com/"), null, null, null);

        assertThat(config.statusBase(8080)).isEqualTo("https://reseal.example.com");
    }

    @Test
    void plaintextTokenIsHashedAndNeverShown() {
        ProducerConfig config = ProducerConfig.defaults().withPlaintextToken("local", "a-long-enough-token");

        assertThat(config.tokens()).singleElement().satisfies(token -> {
            // the same as: printf %s a-long-enough-token | sha256sum
            assertThat(token.sha256()).isEqualTo("34e91a1659beda36c65f1ad93c887695a08a36a2eabf6d8ef8603795b03fb659");
            assertThat(token.workflows()).containsExactly("*");
        });
        assertThat(config.toString()).doesNotContain("a-long-enough-token").doesNotContain(HASH);
    }

    @Test
    void invalidValuesNameTheirKey() {
        assertThatThrownBy(() -> new ProducerConfig(70000, null, null, null, null))
                .hasMessageContaining("api.port");
        assertThatThrownBy(() -> new ApiToken("infra", "not-a-hash", List.of("*")))
                .hasMessageContaining("api.tokens.infra.sha256");
        assertThatThrownBy(() -> new ApiToken("infra", HASH, List.of()))
                .hasMessageContaining("api.tokens.infra.workflows");
        assertThatThrownBy(() -> new ApiToken("infra", HASH, List.of("Bad_Name")))
                .hasMessageContaining("api.tokens.infra.workflows");
        assertThatThrownBy(() -> new ProducerConfig(null, null,
                List.of(new ApiToken("a", HASH, List.of("*")), new ApiToken("a", ApiToken.sha256Hex("other-token"), List.of("*"))), null, null))
                .hasMessageContaining("'a' is used twice");
        assertThatThrownBy(() -> ProducerConfig.defaults().withPlaintextToken("local", "short"))
                .hasMessageContaining("RESEAL_API_TOKEN")
                .hasMessageNotContaining("short");
        assertThatThrownBy(() -> new ProducerConfig(null, URI.create("ftp://x"), null, null, null))
                .hasMessageContaining("api.publicBaseUrl");
    }

    @Test
    void readsFromJson() throws Exception {
        String json = "{\"port\": 9090, \"publicBaseUrl\": \"https://reseal.example.com\","
                + " \"tokens\": [{\"name\": \"infra\", \"sha256\": \"" + HASH + "\", \"workflows\": [\"*\"]}],"
                + " \"leaderElection\": {\"namespace\": \"reseal\"}}";

        ProducerConfig config = io.reseal.pipeline.event.EventJson.mapper().readerFor(ProducerConfig.class)
                .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .readValue(json);

        assertThat(config.port()).isEqualTo(9090);
        assertThat(config.tokens()).extracting(ApiToken::name).containsExactly("infra");
        assertThat(config.leaderElection()).isEqualTo(new ProducerConfig.LeaderElection("reseal", "reseal-scheduler"));
    }

    @Test
    void onlyAStarTokenAllowsEveryWorkflow() {
        ApiToken team = new ApiToken("team", HASH, List.of("financial-ml"));
        ApiToken infra = new ApiToken("infra", HASH, List.of("*"));

        assertThat(team.allows("financial-ml")).isTrue();
        assertThat(team.allows("fraud-ml")).isFalse();
        assertThat(team.allows("*")).isFalse();
        assertThat(infra.allows("fraud-ml")).isTrue();
    }
}

package io.reseal.sealer.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.YamlConfigReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A value source is told apart by the one key it is written with; anything else is refused by name. */
class ValueSourceYamlTest {

    record Keys(Map<String, ValueSource> keys) {}

    @Test
    void eachKindIsReadFromTheKeyItIsWrittenWith() {
        // given
        String yaml = """
                keys:
                  endpoint: {literal: https://mlflow.example.com}
                  token: {env: API_TOKEN}
                  ca: {file: /etc/ca.pem}
                  db: {secret: {namespace: vault, name: database, key: password}}
                  api-key: {generate: {kind: hex, length: 40}}
                  db-user: {issued: {issuer: mlflow-db, field: username}}
                """;

        // when
        Map<String, ValueSource> keys = read(yaml).keys();

        // then
        assertThat(keys).containsExactly(
                Map.entry("endpoint", new ValueSource.Literal("https://mlflow.example.com")),
                Map.entry("token", new ValueSource.Env("API_TOKEN")),
                Map.entry("ca", new ValueSource.File("/etc/ca.pem")),
                Map.entry("db", new ValueSource.FromSecret(new ValueSource.SecretKeyRef(null, "vault", "database", "password"))),
                Map.entry("api-key", new ValueSource.Generated(new Generator(Generator.Kind.HEX, 40, null))),
                Map.entry("db-user", new ValueSource.Issued(new ValueSource.IssuedRef("mlflow-db", "username"))));
    }

    @Test
    void twoKindsAtOnceAreRefusedNamingTheKeyAndTheKinds() {
        assertThatThrownBy(() -> read("keys:\n  token: {literal: a, env: B}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("keys.token")
                .hasMessageContaining("write exactly one of literal, env, file, secret, generate, issued");
    }

    @Test
    void anUnknownKindIsRefusedNamingTheKeyAndTheKinds() {
        assertThatThrownBy(() -> read("keys:\n  token: {vault: a}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("keys.token")
                .hasMessageContaining("write exactly one of literal, env, file, secret, generate, issued");
    }

    @Test
    void anIssuedKeyNeedsIssuerAndField() {
        assertThatThrownBy(() -> read("keys:\n  token: {issued: {issuer: db}}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("issued needs issuer and field");
    }

    private static Keys read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Keys.class, "test.yaml");
    }
}

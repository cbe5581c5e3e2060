package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.YamlConfigReader;
import io.reseal.sealer.values.ValueSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code issuers:} as the contract writes it; the kind is told by its one key. */
class IssuerConfigYamlTest {

    record Issuers(List<IssuerConfig> issuers) {}

    @Test
    void readsTheContractsShapeAndACommandIssuer() {
        Issuers read = read("""
                issuers:
                  - name: mlflow-db
                    postgres:
                      url: jdbc:postgresql://postgres.mlflow:5432/mlflow
                      admin: {username: {literal: reseal_admin}, password: {env: MLFLOW_DB_ADMIN_PASSWORD}}
                      role: mlflow_app
                      strategy: alternating-users
                    revokePrevious: {after: P3D}
                  - name: mlflow-s3
                    command:
                      run: [/etc/reseal/minio-accesskey-issuer.sh]
                      fields: [accessKey, secretKey]
                      environment: {MINIO_ADMIN_PASSWORD: {env: MINIO_ADMIN_PASSWORD}}
                    revokePrevious: {when: unsealed, after: P1D}
                """);

        assertThat(read.issuers()).hasSize(2);
        PostgresIssuerConfig postgres = (PostgresIssuerConfig) read.issuers().get(0);
        assertThat(postgres.postgres().strategy()).isEqualTo(PostgresIssuerConfig.Strategy.ALTERNATING_USERS);
        assertThat(postgres.postgres().admin().password()).isEqualTo(new ValueSource.Env("MLFLOW_DB_ADMIN_PASSWORD"));
        assertThat(postgres.revokePrevious().after()).isEqualTo(Duration.ofDays(3));
        assertThat(postgres.revokePrevious().when()).as("default").isEqualTo(io.reseal.pipeline.event.AdoptionState.ROLLED_OUT);
        CommandIssuerConfig command = (CommandIssuerConfig) read.issuers().get(1);
        assertThat(command.fields()).containsExactly("accessKey", "secretKey");
        assertThat(command.command().timeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(command.revokePrevious().when()).isEqualTo(io.reseal.pipeline.event.AdoptionState.UNSEALED);
    }

    @Test
    void revokePreviousWaitsOnlyForUnsealedOrRolledOut() {
        assertThatThrownBy(() -> read("""
                issuers:
                  - name: db
                    command: {run: [/bin/true], fields: [password]}
                    revokePrevious: {when: applied, after: P1D}
                """)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("revokePrevious.when must be rolled-out or unsealed, not applied");
    }

    @Test
    void anUnknownKindIsRefusedNamingTheKinds() {
        assertThatThrownBy(() -> read("issuers:\n  - name: db\n    mysql: {url: x}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("issuers[0]").hasMessageContaining("write exactly one of postgres, command");
    }

    @Test
    void badValuesAreRefusedByName() {
        assertThatThrownBy(() -> read("""
                issuers:
                  - name: db
                    postgres: {url: "jdbc:postgresql://h/db", admin: {username: {literal: a}, password: {env: P}},
                               role: app, strategy: rotate-everything}
                """)).hasMessageContaining("unknown strategy 'rotate-everything': expected alternating-users or single-user");
        assertThatThrownBy(() -> read("""
                issuers:
                  - name: db
                    postgres: {url: "jdbc:postgresql://h/db", admin: {username: {literal: a}, password: {issued: {issuer: x, field: y}}},
                               role: app}
                """)).hasMessageContaining("postgres.admin cannot be issued by an issuer");
        assertThatThrownBy(() -> read("""
                issuers:
                  - name: db
                    postgres: {url: "jdbc:postgresql://h/db", admin: {username: {literal: a}, password: {env: P}}, role: "app; DROP"}
                """)).hasMessageContaining("postgres.role must be a lower-case PostgreSQL identifier");
    }

    private static Issuers read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Issuers.class, "test.yaml");
    }
}

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
    void readsTheContractsShapeAKafkaScramAndACommandIssuer() {
        Issuers read = read("""
                issuers:
                  - name: mlflow-db
                    postgres:
                      url: jdbc:postgresql://postgres.mlflow:5432/mlflow
                      admin: {username: {literal: reseal_admin}, password: {env: MLFLOW_DB_ADMIN_PASSWORD}}
                      role: mlflow_app
                      strategy: alternating-users
                    revokePrevious: {after: P3D}
                  - name: app-kafka
                    kafka-scram:
                      admin: {username: {literal: reseal-issuer}, password: {env: KAFKA_ISSUER_PASSWORD}}
                      principal: app
                      strategy: alternating-users
                  - name: mlflow-s3
                    command:
                      run: [/etc/reseal/minio-accesskey-issuer.sh]
                      fields: [accessKey, secretKey]
                      environment: {MINIO_ADMIN_PASSWORD: {env: MINIO_ADMIN_PASSWORD}}
                    revokePrevious: {when: unsealed, after: P1D}
                """);

        assertThat(read.issuers()).hasSize(3);
        PostgresIssuerConfig postgres = (PostgresIssuerConfig) read.issuers().get(0);
        assertThat(postgres.postgres().strategy()).isEqualTo(UserStrategy.ALTERNATING_USERS);
        assertThat(postgres.postgres().admin().password()).isEqualTo(new ValueSource.Env("MLFLOW_DB_ADMIN_PASSWORD"));
        assertThat(postgres.revokePrevious().after()).isEqualTo(Duration.ofDays(3));
        assertThat(postgres.revokePrevious().when()).as("default").isEqualTo(io.reseal.pipeline.event.AdoptionState.ROLLED_OUT);
        KafkaScramIssuerConfig scram = (KafkaScramIssuerConfig) read.issuers().get(1);
        assertThat(scram.kafkaScram()).isEqualTo(new KafkaScramIssuerConfig.Settings(null, null, new AdminLogin(
                new ValueSource.Literal("reseal-issuer"), new ValueSource.Env("KAFKA_ISSUER_PASSWORD")), "app", "SCRAM-SHA-512",
                8192, UserStrategy.ALTERNATING_USERS));
        assertThat(scram.fields()).containsExactlyInAnyOrder("username", "password");
        CommandIssuerConfig command = (CommandIssuerConfig) read.issuers().get(2);
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
                .hasMessageContaining("issuers[0]").hasMessageContaining("write exactly one of postgres, kafka-scram, minio, command");
    }

    @Test
    void readsAMinioIssuerWithItsDefaults() {
        Issuers read = read("""
                issuers:
                  - name: mlflow-s3
                    minio:
                      endpoint: https://minio.mlflow:9000
                      admin: {accessKey: {literal: reseal-admin}, secretKey: {env: MINIO_ADMIN_SECRET_KEY}}
                      user: mlflow
                  - name: models-s3
                    minio:
                      endpoint: http://minio.models:9000
                      region: eu-central-1
                      admin: {accessKey: {literal: reseal-admin}, secretKey: {file: /run/secrets/minio}}
                      user: models
                      bucket: models
                      expiry: P30D
                      policy:
                        Version: "2012-10-17"
                        Statement: [{Effect: Allow, Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::models/*"]}]
                    revokePrevious: {after: P3D}
                """);

        MinioIssuerConfig defaults = (MinioIssuerConfig) read.issuers().get(0);
        assertThat(defaults.fields()).containsExactly("accessKey", "secretKey");
        assertThat(defaults.minio().region()).isEqualTo("us-east-1");
        assertThat(defaults.minio().expiry()).isEqualTo(Duration.ofDays(90));
        assertThat(defaults.minio().policy()).isNull();
        assertThat(defaults.minio().bucket()).isNull();
        assertThat(defaults.minio().admin().secretKey()).isEqualTo(new ValueSource.Env("MINIO_ADMIN_SECRET_KEY"));
        MinioIssuerConfig full = (MinioIssuerConfig) read.issuers().get(1);
        assertThat(full.minio().expiry()).isEqualTo(Duration.ofDays(30));
        assertThat(full.minio().policy()).containsEntry("Version", "2012-10-17").containsKey("Statement");
        assertThat(full.minio().bucket()).isEqualTo("models");
    }

    @Test
    void badMinioValuesAreRefusedByName() {
        String admin = "admin: {accessKey: {literal: a}, secretKey: {env: S}}";
        assertThatThrownBy(() -> read("issuers:\n  - name: s3\n    minio: {endpoint: \"ftp://h\", " + admin + ", user: u}\n"))
                .hasMessageContaining("minio.endpoint must be an http:// or https:// URL");
        assertThatThrownBy(() -> read("issuers:\n  - name: s3\n    minio: {endpoint: \"http://h:9000\", " + admin + "}\n"))
                .hasMessageContaining("minio.user is required");
        assertThatThrownBy(() -> read("issuers:\n  - name: s3\n    minio: {endpoint: \"http://h:9000\", user: u,"
                + " admin: {accessKey: {literal: a}, secretKey: {issued: {issuer: x, field: y}}}}\n"))
                .hasMessageContaining("minio.admin cannot be issued by an issuer");
        assertThatThrownBy(() -> read("issuers:\n  - name: s3\n    minio: {endpoint: \"http://h:9000\", " + admin
                + ", user: u, expiry: P2D}\n    revokePrevious: {after: P3D}\n"))
                .hasMessageContaining("minio.expiry (PT48H) must be longer than revokePrevious.after (PT72H)");
        assertThatThrownBy(() -> read("issuers:\n  - name: s3\n    minio: {endpoint: \"http://h:9000\", " + admin
                + ", user: u, bucket: Bad_Bucket}\n")).hasMessageContaining("minio.bucket 'Bad_Bucket' is not an S3 bucket name");
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

    @Test
    void badKafkaScramValuesAreRefusedByName() {
        assertThatThrownBy(() -> read("issuers:\n  - name: k\n    kafka-scram: {principal: \"User:app\"}\n"))
                .hasMessageContaining("kafka-scram.principal must be the user name of the template principal");
        assertThatThrownBy(() -> read("issuers:\n  - name: k\n    kafka-scram: {principal: app, mechanism: PLAIN}\n"))
                .hasMessageContaining("kafka-scram.mechanism must be SCRAM-SHA-512 or SCRAM-SHA-256");
        assertThatThrownBy(() -> read("issuers:\n  - name: k\n    kafka-scram: {principal: app, iterations: 1000}\n"))
                .hasMessageContaining("kafka-scram.iterations must be between 4096 and 16384");
        assertThatThrownBy(() -> read("issuers:\n  - name: k\n    kafka-scram: {principal: app, protocol: SSL}\n"))
                .hasMessageContaining("kafka-scram.protocol must be SASL_PLAINTEXT or SASL_SSL");
        assertThatThrownBy(() -> read("""
                issuers:
                  - name: k
                    kafka-scram: {principal: app, admin: {username: {literal: a}, password: {issued: {issuer: x, field: y}}}}
                """)).hasMessageContaining("kafka-scram.admin cannot be issued by an issuer");
    }

    private static Issuers read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Issuers.class, "test.yaml");
    }
}

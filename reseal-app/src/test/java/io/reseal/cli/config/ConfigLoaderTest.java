package io.reseal.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.InvalidConfigException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Configuration errors: every problem at once, each with key path and line, and never a value of the file. */
class ConfigLoaderTest {

    private static final String SECRET = "Hunter2";

    /** A valid file (the sample's shape) with {@code keys} as the keys of its one bundle. */
    private static String config(String keys, String extra) {
        return """
                kafka:
                  bootstrapServers: localhost:9092
                clusters:
                  - name: dev
                    certificate: {file: /tmp/cert.pem}
                bundles:
                  - name: ml-platform
                    keys:
                %s
                workflows:
                  - name: financial-ml
                    requestor: team@example.com
                    bundles: [ml-platform]
                    environments:
                      dev: {cluster: dev}
                %s""".formatted(keys, extra);
    }

    private static InvalidConfigException failure(String yaml) {
        InputStream in = new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8));
        try {
            ConfigLoader.load(in, "reseal.yaml", Map.<String, String>of()::get);
        } catch (InvalidConfigException e) {
            return e;
        }
        throw new AssertionError("the configuration was accepted");
    }

    @Test
    void aBareStringWhereAValueSourceBelongsIsNamedWithoutItsValue() {
        InvalidConfigException e = failure(config("      PASSWORD: " + SECRET, ""));

        assertThat(e.getMessage())
                .doesNotContain(SECRET)
                .contains("bundles[0].keys.PASSWORD", "(line 9)", "expected a mapping", "found a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "      PASSWORD: " + SECRET + ": more",          // mapping values are not allowed here
            "      PASSWORD: \"" + SECRET,                    // unterminated quote
            "      PASSWORD: [" + SECRET,                     // unterminated flow sequence
            "\tPASSWORD: " + SECRET})                         // a tab
    void aYamlSyntaxErrorNamesLineAndColumnWithoutQuotingTheLine(String keys) {
        InvalidConfigException e = failure(config(keys, ""));

        assertThat(e.getMessage()).doesNotContain(SECRET).startsWith("reseal.yaml: not valid YAML at line ");
    }

    @Test
    void everyProblemOfTheFileIsReportedAtOnceWithKeyPathAndLine() {
        InvalidConfigException e = failure(config("      PASSWORD: " + SECRET + "\n      TOKEN: {env: TOKEN}",
                "api:\n  port: " + SECRET + "\n  colour: blue\nsmtp:\n  host: localhost\n  from: reseal@example.com\n  retries: 3\n"));

        assertThat(e.getMessage())
                .doesNotContain(SECRET)
                .startsWith("reseal.yaml: 4 problems:")
                .contains("'bundles[0].keys.PASSWORD' (line 9)")
                .contains("'api.port' (line 18): expected a number, found a string")
                .contains("unknown key 'api.colour' (line 19)")
                .contains("unknown key 'smtp.retries' (line 23)");
    }

    @Test
    void aScheduleSlackAndTheWatchersLeaseAreReadAndTheLeaseClusterDefaultsToTheFirst() {
        String yaml = config("      TOKEN: {env: TOKEN}", "adoption:\n  leaderElection: {namespace: reseal}\n")
                .replace("      dev: {cluster: dev}\n", "      dev: {cluster: dev}\n    schedule: {every: P30D, slack: PT12H}\n");

        ResealConfig config = ConfigLoader.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                "reseal.yaml", Map.<String, String>of()::get);

        assertThat(config.workflows().get(0).schedule().slack()).isEqualTo(java.time.Duration.ofHours(12));
        assertThat(config.adoption().leaderElection().leaseName()).isEqualTo("reseal-adoption-watcher");
        assertThat(config.adoptionLeaseCluster()).isEqualTo("dev");
    }

    @Test
    void aLeaseInAnUnknownClusterOrANegativeSlackIsNamed() {
        assertThat(failure(config("      TOKEN: {env: TOKEN}", "adoption:\n  leaderElection: {cluster: prod, namespace: reseal}\n"))
                .getMessage()).contains("adoption.leaderElection.cluster: unknown cluster 'prod'");
        assertThat(failure(config("      TOKEN: {env: TOKEN}", "").replace("      dev: {cluster: dev}\n",
                "      dev: {cluster: dev}\n    schedule: {every: P30D, slack: -PT1H}\n")).getMessage())
                .contains("schedule.slack must not be negative");
    }

    @Test
    void aValidFileStillLoads() {
        InputStream in = new ByteArrayInputStream(config("      TOKEN: {env: TOKEN}", "").getBytes(StandardCharsets.UTF_8));

        assertThat(ConfigLoader.load(in, "reseal.yaml", Map.<String, String>of()::get).workflows()).hasSize(1);
    }

    @Test
    void theAdoptionReminderIsReadAndANegativeOneNamed() {
        ResealConfig config = ConfigLoader.load(new ByteArrayInputStream(config("      TOKEN: {env: TOKEN}",
                "adoption:\n  deadline: P3D\n  remindBefore: PT6H\n").getBytes(StandardCharsets.UTF_8)), "reseal.yaml",
                Map.<String, String>of()::get);
        assertThat(config.adoption().remindBefore()).isEqualTo(java.time.Duration.ofHours(6));
        assertThat(config.adoption().deadline()).isEqualTo(java.time.Duration.ofDays(3));

        assertThat(failure(config("      TOKEN: {env: TOKEN}", "adoption:\n  remindBefore: -PT1H\n")).getMessage())
                .contains("adoption.remindBefore must not be negative");
    }
}

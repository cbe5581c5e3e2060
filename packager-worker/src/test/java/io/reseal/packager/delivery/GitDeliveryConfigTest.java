package io.reseal.packager.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.CredentialSource;
import io.reseal.pipeline.config.GitDeliveryConfig;
import io.reseal.pipeline.config.GitDeliveryConfig.GitCredentialsConfig;
import io.reseal.pipeline.config.GitDeliveryConfig.Mode;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.YamlConfigReader;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code workflows[].delivery.git} as YAML, its validation, and how its credentials resolve. */
class GitDeliveryConfigTest {

    @Test
    void readsTheContractsShapeFromYaml() {
        WorkflowConfig workflow = read("""
                name: financial-ml
                environments: {dev: {}}
                delivery:
                  git:
                    url: https://git.example.com/financial/deploy.git
                    branch: main
                    path: secrets/financial-ml
                    mode: merge-request
                    credentials: {username: {literal: reseal-bot}, password: {env: GIT_TOKEN}}
                """);

        GitDeliveryConfig git = workflow.gitDelivery().orElseThrow();
        assertThat(git.url()).isEqualTo(URI.create("https://git.example.com/financial/deploy.git"));
        assertThat(git.branch()).isEqualTo("main");
        assertThat(git.path()).isEqualTo("secrets/financial-ml");
        assertThat(git.mode()).isEqualTo(Mode.MERGE_REQUEST);
        assertThat(git.credentials().password().env()).isEqualTo("GIT_TOKEN");
    }

    @Test
    void defaultsToPushOntoMainAtTheRepositoryRoot() {
        GitDeliveryConfig git = new GitDeliveryConfig(URI.create("file:///srv/git/deploy.git"), null, null, null, null);

        assertThat(git.branch()).isEqualTo("main");
        assertThat(git.path()).isEmpty();
        assertThat(git.mode()).isEqualTo(Mode.PUSH);
    }

    @Test
    void aWorkflowWithoutDeliveryHasNoGitDelivery() {
        assertThat(read("name: financial-ml\nenvironments: {dev: {}}\n").gitDelivery()).isEmpty();
    }

    @Test
    void unknownKeysAreRejectedByName() {
        assertThatThrownBy(() -> read("""
                name: financial-ml
                environments: {dev: {}}
                delivery: {git: {url: https://git.example.com/deploy.git, token: abc}}
                """)).isInstanceOf(InvalidConfigException.class).hasMessageContaining("unknown key 'delivery.git.token'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://git.example.com/deploy.git", "https://bot:glpat-secret@git.example.com/deploy.git",
            "https://git.example.com/", "https://git.example.com/deploy.git?x=1", "deploy.git", "ssh://git@git.example.com/deploy.git"})
    void rejectsUrlsThatAreNotARepositoryWithoutCredentials(String url) {
        assertThatThrownBy(() -> new GitDeliveryConfig(URI.create(url), null, null, null, null))
                .hasMessageStartingWith("url: ")
                .hasMessageNotContaining("glpat-secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc", "secrets/../..", "/abs", "a//b", ".git", "a/.hidden", "a b"})
    void rejectsPathsThatLeaveTheRepositoryOrAreNotPlainNames(String path) {
        assertThatThrownBy(() -> new GitDeliveryConfig(URI.create("https://git.example.com/deploy.git"), null, path, null, null))
                .hasMessageStartingWith("path: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-main", "a..b", "main.lock", "feature/", "a b", "x\ny"})
    void rejectsBranchNamesGitRefuses(String branch) {
        assertThatThrownBy(() -> new GitDeliveryConfig(URI.create("https://git.example.com/deploy.git"), branch, null, null, null))
                .hasMessageStartingWith("branch: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anSshKeyIsRefusedUntilSshIsSupported() {
        assertThatThrownBy(() -> new GitCredentialsConfig(null, null, new CredentialSource(null, null, "/keys/id")))
                .hasMessageStartingWith("credentials.sshKey: SSH delivery is not supported yet");
    }

    @Test
    void anUnknownModeIsNamed() {
        assertThatThrownBy(() -> read("""
                name: financial-ml
                environments: {dev: {}}
                delivery: {git: {url: https://git.example.com/deploy.git, mode: pull-request}}
                """)).hasMessageContaining("'pull-request' is not push or merge-request");
    }

    @Test
    void credentialsResolveFromLiteralEnvironmentOrFileAndNeverPrintTheToken(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "glpat-FromFile-123\n");
        GitCredentials fromEnv = GitCredentials.resolve(new GitCredentialsConfig(new CredentialSource("bot", null, null),
                new CredentialSource(null, "GIT_TOKEN", null), null), Map.of("GIT_TOKEN", "glpat-FromEnv-456")::get);
        GitCredentials fromFile = GitCredentials.resolve(new GitCredentialsConfig(null,
                new CredentialSource(null, null, tokenFile.toString()), null), name -> null);

        assertThat(fromEnv.toString()).doesNotContain("glpat-FromEnv-456").contains("bot", "****");
        assertThat(fromFile.toString()).doesNotContain("glpat-FromFile-123").contains(GitCredentials.TOKEN_USER);
        assertThat(fromEnv.scrub("denied for glpat-FromEnv-456 at host")).isEqualTo("denied for **** at host");
        assertThat(fromFile.scrub("x glpat-FromFile-123 y")).isEqualTo("x **** y"); // the file's newline is not part of it
    }

    @Test
    void aMissingCredentialIsNamedWithoutAValue() {
        assertThatThrownBy(() -> GitCredentials.resolve(new GitCredentialsConfig(null,
                new CredentialSource(null, "GIT_TOKEN", null), null), name -> ""))
                .hasMessage("credentials.password: environment variable GIT_TOKEN is not set or empty");
        assertThatThrownBy(() -> new CredentialSource("a", "B", null)).hasMessageContaining("exactly one of literal, env, file");
    }

    private static WorkflowConfig read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), WorkflowConfig.class,
                "workflows[0]");
    }
}

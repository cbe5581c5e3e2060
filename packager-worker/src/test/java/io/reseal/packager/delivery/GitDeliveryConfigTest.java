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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code workflows[].delivery.git} as YAML, its validation, and how its credentials resolve. */
class GitDeliveryConfigTest {

    /** A fingerprint as {@code ssh-keygen -l} prints it (of no particular key). */
    static final String FINGERPRINT = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

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
            "https://git.example.com/", "https://git.example.com/deploy.git?x=1", "deploy.git", "ssh://git.example.com/deploy.git",
            "ssh://git:glpat-secret@git.example.com/deploy.git"})
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
    void readsAnSshDeliveryWithAnScpLikeUrlFromYaml() {
        WorkflowConfig workflow = read("""
                name: financial-ml
                environments: {dev: {}}
                delivery:
                  git:
                    url: git@git.example.com:financial/deploy.git
                    credentials: {sshKey: {file: /var/run/secrets/reseal/git-ssh-key}}
                    hostKeyFingerprint: %s
                    knownHosts: {file: /etc/reseal/known_hosts}
                """.formatted(FINGERPRINT));

        GitDeliveryConfig git = workflow.gitDelivery().orElseThrow();
        assertThat(git.url()).isEqualTo(URI.create("ssh://git@git.example.com/financial/deploy.git"));
        assertThat(git.ssh()).isTrue();
        assertThat(git.credentials().sshKey().file()).isEqualTo("/var/run/secrets/reseal/git-ssh-key");
        assertThat(git.hostKeyFingerprint()).isEqualTo(FINGERPRINT);
        assertThat(git.knownHosts().file()).isEqualTo("/etc/reseal/known_hosts");
    }

    static Stream<Arguments> wrongSshSettings() {
        CredentialSource key = new CredentialSource(null, null, "/keys/id");
        GitCredentialsConfig sshKey = GitCredentialsConfig.sshKey(key, null);
        GitCredentialsConfig token = new GitCredentialsConfig(null, new CredentialSource(null, "GIT_TOKEN", null));
        URI ssh = URI.create("ssh://git@git.example.com/deploy.git");
        URI https = URI.create("https://git.example.com/deploy.git");
        return Stream.of(
                Arguments.of(ssh, token, FINGERPRINT, "credentials.sshKey: required for an ssh:// URL"),
                Arguments.of(ssh, null, FINGERPRINT, "credentials.sshKey: required for an ssh:// URL"),
                Arguments.of(ssh, sshKey, null, "knownHosts or hostKeyFingerprint: required for an ssh:// URL"),
                Arguments.of(ssh, sshKey, "SHA256:tooShort", "hostKeyFingerprint: not a SHA256 fingerprint"),
                Arguments.of(ssh, sshKey, "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48", "hostKeyFingerprint: not a SHA256"),
                Arguments.of(https, sshKey, null, "credentials.sshKey: only for an ssh:// URL"),
                Arguments.of(https, token, FINGERPRINT, "hostKeyFingerprint: only for an ssh:// URL"));
    }

    @ParameterizedTest
    @MethodSource("wrongSshSettings")
    void sshSettingsAreCheckedAtStartUpByKey(URI url, GitCredentialsConfig credentials, String fingerprint, String message) {
        assertThatThrownBy(() -> new GitDeliveryConfig(url, null, null, null, credentials, null, fingerprint))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void aKeyLoginTakesNoUserNameOrPasswordAndAPassphraseNeedsAKey() {
        CredentialSource key = new CredentialSource(null, null, "/keys/id");
        CredentialSource secret = new CredentialSource(null, "GIT_SECRET", null);
        assertThatThrownBy(() -> new GitCredentialsConfig(null, secret, key, null))
                .hasMessage("credentials: password or sshKey, not both");
        assertThatThrownBy(() -> new GitCredentialsConfig(new CredentialSource("bot", null, null), null, key, null))
                .hasMessageStartingWith("credentials.username: not used with sshKey");
        assertThatThrownBy(() -> new GitCredentialsConfig(null, secret, null, secret))
                .hasMessage("credentials.sshKeyPassphrase: only with sshKey");
    }

    @Test
    void anEncryptedOpenSshKeyOpensWithItsPassphraseAndAPemKeyWithout() {
        String passphrase = "correct horse battery staple";
        Map<String, String> env = Map.of("GIT_SSH_KEY", SshTestKeys.openSsh(SshTestKeys.generate(), passphrase),
                "GIT_SSH_PASSPHRASE", passphrase, "GIT_PEM_KEY", SshTestKeys.pem(SshTestKeys.generateRsa()));

        GitCredentials openSsh = GitCredentials.resolve(sshDelivery(new CredentialSource(null, "GIT_SSH_KEY", null),
                new CredentialSource(null, "GIT_SSH_PASSPHRASE", null)), env::get);
        GitCredentials pem = GitCredentials.resolve(sshDelivery(new CredentialSource(null, "GIT_PEM_KEY", null), null),
                env::get);

        for (GitCredentials credentials : List.of(openSsh, pem)) {
            assertThat(credentials.toString()).isEqualTo("GitCredentials[sshKey=****]");
            assertThat(credentials.provider()).isNull();
            try (SshClient ssh = credentials.sshClient()) {
                assertThat(ssh).isNotNull();
            }
        }
        assertThat(openSsh.scrub("bad passphrase " + passphrase)).isEqualTo("bad passphrase ****");
        assertThat(GitCredentials.none().sshClient()).isNull();
    }

    @Test
    void aKeyThatCannotBeOpenedIsNamedWithoutItsContent() {
        String encrypted = SshTestKeys.openSsh(SshTestKeys.generate(), "the right one");
        Map<String, String> env = Map.of("GIT_SSH_KEY", encrypted, "WRONG", "not the passphrase",
                "NOT_A_KEY", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA public key, not a private one");
        String base64 = encrypted.lines().skip(1).findFirst().orElseThrow();

        assertThatThrownBy(() -> GitCredentials.resolve(sshDelivery(new CredentialSource(null, "GIT_SSH_KEY", null),
                null), env::get))
                .hasMessageStartingWith("credentials.sshKey: environment variable GIT_SSH_KEY is not a private key")
                .hasMessageContaining("needs credentials.sshKeyPassphrase").hasMessageNotContaining(base64);
        assertThatThrownBy(() -> GitCredentials.resolve(sshDelivery(new CredentialSource(null, "GIT_SSH_KEY", null),
                new CredentialSource(null, "WRONG", null)), env::get))
                .hasMessageStartingWith("credentials.sshKey: environment variable GIT_SSH_KEY is not a private key")
                .hasMessageNotContaining("not the passphrase").hasMessageNotContaining(base64);
        assertThatThrownBy(() -> GitCredentials.resolve(sshDelivery(new CredentialSource(null, "NOT_A_KEY", null),
                null), env::get))
                .hasMessageStartingWith("credentials.sshKey: environment variable NOT_A_KEY")
                .hasMessageNotContaining("AAAAC3NzaC1lZDI1NTE5");
    }

    @Test
    void knownHostsNeedsALineForTheRepositorysHostAndPort() {
        String otherHost = "other.example.com " + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(
                SshTestKeys.generate().getPublic());
        Map<String, String> env = Map.of("GIT_SSH_KEY", SshTestKeys.openSsh(SshTestKeys.generate(), null), "OTHER", otherHost,
                "GARBLED", "git.example.com ssh-rsa not-base64!");
        CredentialSource key = new CredentialSource(null, "GIT_SSH_KEY", null);

        assertThatThrownBy(() -> GitCredentials.resolve(new GitDeliveryConfig(URI.create(
                "ssh://git@git.example.com:2222/deploy.git"), null, null, null, GitCredentialsConfig.sshKey(key, null),
                new CredentialSource(null, "OTHER", null), null), env::get))
                .hasMessage("knownHosts: no line for [git.example.com]:2222 (environment variable OTHER)");
        assertThatThrownBy(() -> GitCredentials.resolve(new GitDeliveryConfig(URI.create(
                "ssh://git@git.example.com/deploy.git"), null, null, null, GitCredentialsConfig.sshKey(key, null),
                new CredentialSource(null, "GARBLED", null), null), env::get))
                .hasMessageStartingWith("knownHosts: line 1 ");
    }

    private static GitDeliveryConfig sshDelivery(CredentialSource key, CredentialSource passphrase) {
        return new GitDeliveryConfig(URI.create("ssh://git@git.example.com/deploy.git"), null, null, null,
                GitCredentialsConfig.sshKey(key, passphrase), null, FINGERPRINT);
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
                new CredentialSource(null, "GIT_TOKEN", null)), Map.of("GIT_TOKEN", "glpat-FromEnv-456")::get);
        GitCredentials fromFile = GitCredentials.resolve(new GitCredentialsConfig(null,
                new CredentialSource(null, null, tokenFile.toString())), name -> null);

        assertThat(fromEnv.toString()).doesNotContain("glpat-FromEnv-456").contains("bot", "****");
        assertThat(fromFile.toString()).doesNotContain("glpat-FromFile-123").contains(GitCredentials.TOKEN_USER);
        assertThat(fromEnv.scrub("denied for glpat-FromEnv-456 at host")).isEqualTo("denied for **** at host");
        assertThat(fromFile.scrub("x glpat-FromFile-123 y")).isEqualTo("x **** y"); // the file's newline is not part of it
    }

    @Test
    void aMissingCredentialIsNamedWithoutAValue() {
        assertThatThrownBy(() -> GitCredentials.resolve(new GitCredentialsConfig(null,
                new CredentialSource(null, "GIT_TOKEN", null)), name -> ""))
                .hasMessage("credentials.password: environment variable GIT_TOKEN is not set or empty");
        assertThatThrownBy(() -> new CredentialSource("a", "B", null)).hasMessageContaining("exactly one of literal, env, file");
    }

    private static WorkflowConfig read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), WorkflowConfig.class,
                "workflows[0]");
    }
}

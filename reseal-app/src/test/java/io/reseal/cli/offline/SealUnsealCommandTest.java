package io.reseal.cli.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.cli.CommandRun;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.crypto.HybridEncryption;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealUnsealCommandTest {

    private static final String VALUE = "s3cr3t-for-the-cli";
    private static final String VALUE_BASE64 = Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path dir;

    private static ControllerKeyPair controller;
    private static Path cert;
    private static Path key;
    private static Path otherKey;

    @BeforeAll
    static void keys() {
        Instant notBefore = Instant.now().minus(Duration.ofDays(1));
        controller = ControllerKeyPair.generate("reseal-cli-test", 2048, notBefore, new SecureRandom());
        controller.writeTo(dir.resolve("controller"));
        ControllerKeyPair.generate("other", 2048, notBefore, new SecureRandom()).writeTo(dir.resolve("other"));
        cert = dir.resolve("controller/tls.crt");
        key = dir.resolve("controller/tls.key");
        otherKey = dir.resolve("other/tls.key");
    }

    @Test
    void sealsAYamlSecretAsJsonByDefaultAndUnsealsItBack() throws Exception {
        // given
        Path secret = write("secret.yaml", """
                apiVersion: v1
                kind: Secret
                metadata: {name: api, namespace: team-a}
                stringData: {token: %s}
                """.formatted(VALUE));

        // when
        CommandRun sealed = CommandRun.of("seal", "--cert", cert.toString(), "-f", secret.toString());
        Path sealedFile = write("sealed.json", sealed.out());
        CommandRun unsealed = CommandRun.of("unseal", "--key", otherKey + "," + key, "-f", sealedFile.toString(), "-o", "yaml");

        // then
        assertThat(sealed.exitCode()).isZero();
        assertThat(sealed.err()).isEmpty();
        assertThat(sealed.out()).startsWith("{").contains("\"kind\": \"SealedSecret\"").contains("\"namespace\": \"team-a\"")
                .doesNotContain("sealedsecrets.bitnami.com/").doesNotContain(VALUE).doesNotContain(VALUE_BASE64);
        assertThat(unsealed.exitCode()).isZero();
        assertThat(unsealed.out()).contains("kind: Secret").contains("token: " + VALUE_BASE64);
    }

    @Test
    void sealsNamespaceWideWhenAskedAndPrintsYaml() throws Exception {
        // given
        Path secret = write("ns-wide.json", """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"api","namespace":"team-a"},"data":{"token":"%s"}}
                """.formatted(VALUE_BASE64));

        // when
        CommandRun sealed = CommandRun.of("seal", "--cert", cert.toString(), "--scope", "namespace-wide", "-o", "yaml",
                "-f", secret.toString());

        // then
        assertThat(sealed.exitCode()).isZero();
        assertThat(sealed.out()).startsWith("apiVersion: bitnami.com/v1alpha1")
                .contains("sealedsecrets.bitnami.com/namespace-wide: \"true\"");
        assertThat(unseal(sealed.out(), "json")).contains("\"token\": \"" + VALUE_BASE64 + "\"");
    }

    @Test
    void takesTheScopeFromTheSecretsAnnotationsAndReadsStdin() throws Exception {
        // given: a cluster-wide Secret needs no namespace
        InputStream stdin = System.in;
        String secret = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: shared
                  annotations: {sealedsecrets.bitnami.com/cluster-wide: "true"}
                stringData: {token: %s}
                """.formatted(VALUE);

        // when
        CommandRun sealed;
        try {
            System.setIn(new ByteArrayInputStream(secret.getBytes(StandardCharsets.UTF_8)));
            sealed = CommandRun.of("seal", "--cert", cert.toString());
        } finally {
            System.setIn(stdin);
        }

        // then
        assertThat(sealed.exitCode()).isZero();
        assertThat(sealed.out()).contains("\"sealedsecrets.bitnami.com/cluster-wide\": \"true\"");
        assertThat(unseal(sealed.out(), "yaml")).contains("token: " + VALUE_BASE64);
    }

    @Test
    void sealsOneRawValueForItsNamespaceAndName() throws Exception {
        // given
        Path value = write("value", VALUE);

        // when
        CommandRun strict = CommandRun.of("seal", "--cert", cert.toString(), "--raw", "--namespace", "team-a", "--name", "api",
                "--from-file", value.toString());
        CommandRun clusterWide = CommandRun.of("seal", "--cert", cert.toString(), "--raw", "--scope", "cluster-wide",
                "--from-file", value.toString());

        // then: bare base64, no line break, opening only under its label
        assertThat(strict.exitCode()).isZero();
        assertThat(strict.out()).matches("[A-Za-z0-9+/=]+");
        HybridEncryption encryption = new HybridEncryption();
        RSAPrivateKey privateKey = (RSAPrivateKey) controller.keys().getPrivate();
        assertThat(new String(encryption.open(Base64.getDecoder().decode(strict.out()), "team-a/api", privateKey),
                StandardCharsets.UTF_8)).isEqualTo(VALUE);
        assertThat(new String(encryption.open(Base64.getDecoder().decode(clusterWide.out()), "", privateKey),
                StandardCharsets.UTF_8)).isEqualTo(VALUE);
    }

    @Test
    void aStrictSecretWithoutNamespaceIsOneLineAndExitOne() throws Exception {
        // given
        Path secret = write("no-ns.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: api}\nstringData: {token: " + VALUE + "}\n");

        // when
        CommandRun run = CommandRun.of("seal", "--cert", cert.toString(), "-f", secret.toString());

        // then
        assertOneLineError(run, 1, "metadata.namespace is missing");
        assertThat(run.err()).doesNotContain(VALUE);
    }

    @Test
    void anUnreadableCertificateIsOneLine() {
        // when
        CommandRun missing = CommandRun.of("seal", "--cert", dir.resolve("nope.pem").toString(), "-f", cert.toString());
        CommandRun notACertificate = CommandRun.of("seal", "--cert", key.toString(), "-f", cert.toString());

        // then
        assertOneLineError(missing, 1, "no such certificate file");
        assertOneLineError(notACertificate, 1, key.toString());
    }

    @Test
    void anInvalidManifestIsOneLine() throws Exception {
        // given
        Path configMap = write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: y}\ndata: {a: b}\n");
        Path garbage = write("garbage.yaml", "{ this is: [not yaml");

        // when / then
        assertOneLineError(CommandRun.of("seal", "--cert", cert.toString(), "-f", configMap.toString()), 1, "Secret");
        assertOneLineError(CommandRun.of("seal", "--cert", cert.toString(), "-f", garbage.toString()), 1, "reseal: ");
        assertOneLineError(CommandRun.of("seal", "--cert", cert.toString(), "-f", dir.resolve("none.yaml").toString()), 2,
                "no such file");
    }

    @Test
    void wrongArgumentsAreRefusedBeforeAnythingIsRead() throws Exception {
        // when / then
        CommandRun badScope = CommandRun.of("seal", "--cert", cert.toString(), "--scope", "everywhere");
        assertThat(badScope.exitCode()).isEqualTo(2);
        assertThat(badScope.err()).contains("expected strict, namespace-wide or cluster-wide");
        assertOneLineError(CommandRun.of("seal", "--cert", cert.toString(), "--raw"), 2, "--raw needs --from-file");
        assertOneLineError(CommandRun.of("seal", "--cert", cert.toString(), "--name", "x", "-f", cert.toString()), 2,
                "go with --raw");
        assertOneLineError(CommandRun.of("seal", "--cert", cert.toString(), "--raw", "--from-file", cert.toString()), 1,
                "give both --namespace and --name");
    }

    @Test
    void unsealingWithTheWrongKeySaysWhichKeyFailedWithoutAValue() throws Exception {
        // given
        Path secret = write("api.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: api, namespace: team-a}\n"
                + "stringData: {token: " + VALUE + "}\n");
        Path sealed = write("api.sealed.json", CommandRun.of("seal", "--cert", cert.toString(), "-f", secret.toString()).out());

        // when
        CommandRun run = CommandRun.of("unseal", "--key", otherKey.toString(), "-f", sealed.toString());

        // then
        assertOneLineError(run, 1, "cannot unseal 1 of 1 keys of team-a/api");
        assertThat(run.out()).isEmpty();
        assertOneLineError(CommandRun.of("unseal", "--key", dir.resolve("none.key").toString(), "-f", sealed.toString()), 1,
                "no such key file");
    }

    private static String unseal(String sealedManifest, String format) throws Exception {
        Path file = Files.createTempFile(dir, "sealed", ".txt");
        Files.writeString(file, sealedManifest);
        CommandRun run = CommandRun.of("unseal", "--key", key.toString(), "-f", file.toString(), "-o", format);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.out();
    }

    private static Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static void assertOneLineError(CommandRun run, int exitCode, String contains) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode);
        assertThat(run.err()).startsWith("reseal: ").contains(contains).endsWith("\n");
        assertThat(run.err().strip().lines()).hasSize(1);
    }
}

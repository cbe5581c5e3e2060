package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.cli.local.LocalStack;
import io.reseal.embedded.EmbeddedSmtp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands a team uses against a running stack: {@code rotate --wait}, {@code status}, {@code verify};
 * with the stack's SMTP replaced by another server through {@code SMTP_HOST}/{@code SMTP_PORT}.
 */
class RotateCommandIT {

    private static final String TOKEN = "rotate-command-it-token";
    @TempDir
    static Path data;
    private static EmbeddedSmtp otherSmtp;
    private static LocalStack stack;

    @BeforeAll
    static void start() {
        otherSmtp = new EmbeddedSmtp();
        otherSmtp.start();
        Map<String, String> environment = Map.of("SMTP_HOST", otherSmtp.host(), "SMTP_PORT",
                Integer.toString(otherSmtp.port()), "RESEAL_API_TOKEN", TOKEN);
        stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null, environment::get, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        stack.close();
        otherSmtp.close();
    }

    @Test
    void rotateWaitsUntilNotifiedTheMailGoesToTheConfiguredServerAndThePackageVerifies() throws Exception {
        // when
        CommandRun rotate = CommandRun.of("rotate", "financial-ml", "dev,production", "financial-team@example.com",
                "--reason", "rotate command test", "--wait", "--timeout", "PT2M",
                "--api", stack.apiUrl().toString(), "--token", TOKEN);

        // then: it ends notified, and the mail went to the SMTP server named by the environment
        assertThat(rotate.exitCode()).as(rotate.err()).isZero();
        assertThat(rotate.out()).contains("stage     notified");
        String rotationId = rotate.out().lines().findFirst().orElseThrow();
        assertThat(stack.mailDir()).isNull();
        assertThat(otherSmtp.waitForMessages(2, Duration.ofSeconds(30))).isNotEmpty();

        CommandRun status = CommandRun.of("status", rotationId, "-o", "json", "--api", stack.apiUrl().toString(),
                "--token", TOKEN);
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("\"stage\" : \"notified\"", rotationId);

        // and the package downloads and verifies with the signing public key
        Matcher link = Pattern.compile("package\\s+(\\S+)").matcher(rotate.out());
        assertThat(link.find()).isTrue();
        byte[] archive = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link.group(1))).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body();
        Path file = Files.write(data.resolve("package.tar.gz"), archive);
        Path publicKey = data.resolve("signing/package-signing.pub.pem");
        CommandRun verify = CommandRun.of("verify", file.toString(), "--pubkey", publicKey.toString());
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();

        // but one changed byte is refused
        archive[archive.length / 2] ^= 0x01;
        Path tampered = Files.write(data.resolve("tampered.tar.gz"), archive);
        CommandRun refused = CommandRun.of("verify", tampered.toString(), "--pubkey", publicKey.toString());
        assertThat(refused.exitCode()).isNotZero();
    }

    @Test
    void aWrongTokenIsOneClearLine() {
        CommandRun rotate = CommandRun.of("rotate", "financial-ml", "dev", "financial-team@example.com",
                "--api", stack.apiUrl().toString(), "--token", "not-the-token");
        assertThat(rotate.exitCode()).isEqualTo(2);
        assertThat(rotate.err().strip()).startsWith("reseal: HTTP 401").doesNotContain("\n", "Exception");
    }
}

package io.reseal.cli.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.reseal.cli.CommandRun;
import io.reseal.sealer.crypto.ControllerKeyPair;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reseal seal --insecure --cert http://...}: the certificate served over HTTP as a controller serves
 * {@code /v1/cert.pem}; without {@code --insecure} a plain http URL is refused.
 */
class SealCertificateUrlIT {

    @TempDir
    static Path dir;

    private static HttpServer server;
    private static String base;

    @BeforeAll
    static void serve() throws Exception {
        ControllerKeyPair controller = ControllerKeyPair.generate("reseal-url-test", 2048,
                Instant.now().minus(Duration.ofDays(1)), new SecureRandom());
        controller.writeTo(dir.resolve("controller"));
        byte[] pem = controller.certificatePem().getBytes(StandardCharsets.US_ASCII);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            boolean found = exchange.getRequestURI().getPath().equals("/v1/cert.pem");
            exchange.sendResponseHeaders(found ? 200 : 404, found ? pem.length : -1);
            if (found) exchange.getResponseBody().write(pem);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void sealsWithACertificateFetchedOverHttp() throws Exception {
        // given
        Path secret = Files.writeString(dir.resolve("secret.yaml"),
                "apiVersion: v1\nkind: Secret\nmetadata: {name: api, namespace: team-a}\nstringData: {token: from-url}\n");

        // when
        CommandRun sealed = CommandRun.of("seal", "--insecure", "--cert", base + "/v1/cert.pem", "-f", secret.toString(), "-o", "yaml");
        Path sealedFile = Files.writeString(dir.resolve("sealed.yaml"), sealed.out());
        CommandRun unsealed = CommandRun.of("unseal", "--key", dir.resolve("controller/tls.key").toString(),
                "-f", sealedFile.toString());

        // then
        assertThat(sealed.exitCode()).as(sealed.err()).isZero();
        assertThat(unsealed.exitCode()).as(unsealed.err()).isZero();
        assertThat(unsealed.out()).contains("\"token\": \"ZnJvbS11cmw=\"");
    }

    @Test
    void aPlainHttpUrlIsRefusedWithoutInsecure() {
        // when
        CommandRun run = CommandRun.of("seal", "--cert", base + "/v1/cert.pem", "-f", dir.toString());

        // then
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("reseal: " + base + "/v1/cert.pem: a plain http:// URL");
    }

    @Test
    void aCertificateUrlThatDoesNotAnswerWithOneIsOneLine() {
        // when
        CommandRun run = CommandRun.of("seal", "--insecure", "--cert", base + "/v1/missing.pem", "-f", dir.toString());

        // then
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("reseal: " + base + "/v1/missing.pem: cannot fetch certificate: HTTP 404\n");
    }
}

package io.reseal.sealer.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.crypto.InvalidCertificateException;
import io.reseal.sealer.crypto.SealingCertificate;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateLoaderTest {

    private static final String FINGERPRINT = "d43d67c33a6cbd951e2e2140e22bb560c565fd27e1d1c9a17ef334b72642c9d9";

    private final CertificateLoader loader = loaderAt(GoldenVectors.VALID_AT);
    private HttpServer server;

    @BeforeEach
    void controller() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/cert.pem", exchange -> {
            byte[] pem = GoldenVectors.text("tls.crt").getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, pem.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(pem);
            }
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/v1/cert.pem");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/huge", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(new byte[CertificateLoader.MAX_BYTES + 1]);
            } catch (java.io.IOException e) {
                // the loader stops reading once it has seen too much
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void loadsFromAFile(@TempDir Path dir) throws Exception {
        // given
        Path file = Files.writeString(dir.resolve("cert.pem"), GoldenVectors.text("tls.crt"));

        // when
        SealingCertificate certificate = loader.load(file.toString(), false);

        // then
        assertThat(certificate.fingerprint()).isEqualTo(FINGERPRINT);
    }

    @Test
    void loadsFromTheControllersUrl() {
        assertThat(loader.load(url("/v1/cert.pem"), true).fingerprint()).isEqualTo(FINGERPRINT);
    }

    @Test
    void saysWhenTheUrlAnswersWithAnError() {
        assertThatThrownBy(() -> loader.load(url("/nothing-here"), true))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessage(url("/nothing-here") + ": cannot fetch certificate: HTTP 404");
    }

    @Test
    void saysWhichFileIsMissing(@TempDir Path dir) {
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> loader.load(missing.toString(), false))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessage(missing + ": no such certificate file");
    }

    @Test
    void refusesACertificateExpiredByItsClock() {
        assertThatThrownBy(() -> loaderAt(Instant.parse("2037-01-01T00:00:00Z")).load(url("/v1/cert.pem"), true))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageStartingWith(url("/v1/cert.pem") + ": certificate " + FINGERPRINT + " expired");
    }

    @Test
    void refusesAPlainHttpUrlUnlessAllowed() {
        assertThatThrownBy(() -> loader.load(url("/v1/cert.pem"), false))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageStartingWith(url("/v1/cert.pem") + ": a plain http:// URL lets anyone on the way swap the certificate");
    }

    @Test
    void doesNotFollowARedirect() {
        assertThatThrownBy(() -> loader.load(url("/moved"), true))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessage(url("/moved") + ": answered HTTP 302 (a redirect); redirects are not followed: give the final URL");
    }

    @Test
    void refusesAnAnswerLargerThanACertificateCanBe() {
        assertThatThrownBy(() -> loader.load(url("/huge"), true))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessage(url("/huge") + ": larger than " + CertificateLoader.MAX_BYTES + " bytes; not a certificate");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static CertificateLoader loaderAt(Instant now) {
        return new CertificateLoader(HttpClient.newHttpClient(), Clock.fixed(now, ZoneOffset.UTC), Duration.ofSeconds(5));
    }
}

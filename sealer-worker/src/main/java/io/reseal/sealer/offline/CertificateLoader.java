package io.reseal.sealer.offline;

import io.reseal.sealer.crypto.InvalidCertificateException;
import io.reseal.sealer.crypto.SealingCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code --cert FILE|URL}: reads a sealing certificate from a file or an https URL (such as a
 * controller's {@code /v1/cert.pem}), and checks it is usable now: RSA of at least 2048 bits,
 * within its validity window. As for the sealer's {@code certificate.url}: a plain {@code http://} URL only when
 * the caller allows it ({@code --insecure}), redirects never followed, at most {@value #MAX_BYTES} bytes read.
 *
 * <p>Every failure is an {@link InvalidCertificateException} whose message starts with the source.
 * Thread-safe; the {@link HttpClient} is the caller's.
 */
public final class CertificateLoader {

    /** A PEM certificate is a few KiB; anything larger than this is not one. */
    static final int MAX_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Clock clock;
    private final Duration timeout;

    /** Loads with a new HTTP client (10 s to connect, redirects never followed) and the system clock. */
    public CertificateLoader() {
        this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build(), Clock.systemUTC(), Duration.ofSeconds(30));
    }

    public CertificateLoader(HttpClient http, Clock clock, Duration timeout) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * The certificate at {@code fileOrUrl}: an {@code https://} URL (or {@code http://} when {@code insecure}),
     * otherwise a file path.
     */
    public SealingCertificate load(String fileOrUrl, boolean insecure) {
        String lower = fileOrUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") && !insecure) {
            throw new InvalidCertificateException(fileOrUrl + ": a plain http:// URL lets anyone on the way swap the"
                    + " certificate; use https://, or --insecure if you must");
        }
        String pem = lower.startsWith("http://") || lower.startsWith("https://")
                ? fetch(fileOrUrl)
                : read(Path.of(fileOrUrl));
        try {
            return SealingCertificate.parse(pem).requireValidAt(clock.instant());
        } catch (InvalidCertificateException e) {
            throw new InvalidCertificateException(fileOrUrl + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new InvalidCertificateException(file + ": larger than " + MAX_BYTES + " bytes; not a certificate");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new InvalidCertificateException(file + ": no such certificate file", e);
        } catch (IOException e) {
            throw new InvalidCertificateException(file + ": cannot read certificate file: " + e.getMessage(), e);
        }
    }

    private String fetch(String url) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
        } catch (IllegalArgumentException e) {
            throw new InvalidCertificateException(url + ": not a valid URL", e);
        }
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() >= 300 && response.statusCode() < 400) {
                    throw new InvalidCertificateException(url + ": answered HTTP " + response.statusCode()
                            + " (a redirect); redirects are not followed: give the final URL");
                }
                if (response.statusCode() != 200) {
                    throw new InvalidCertificateException(url + ": cannot fetch certificate: HTTP " + response.statusCode());
                }
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new InvalidCertificateException(url + ": larger than " + MAX_BYTES + " bytes; not a certificate");
                }
                return new String(bytes, StandardCharsets.US_ASCII);
            }
        } catch (IOException e) {
            throw new InvalidCertificateException(url + ": cannot fetch certificate: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidCertificateException(url + ": interrupted while fetching the certificate", e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

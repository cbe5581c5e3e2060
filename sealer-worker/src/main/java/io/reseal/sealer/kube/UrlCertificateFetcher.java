package io.reseal.sealer.kube;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches one cluster's PEM certificate from its URL ({@link CertificateConfig.FromUrl}) without trusting the URL
 * more than it proves: redirects are never followed (a 3xx is refused, naming the URL and status), the body is read
 * up to {@value #MAX_BYTES} bytes and refused beyond (while reading: a longer or endless body is cut off, never
 * buffered), and with a {@code caBundle} the TLS server must present a chain to one of its CAs, the JVM's trust
 * store playing no part. Thread-safe.
 */
final class UrlCertificateFetcher {

    /** The largest answer taken: a PEM certificate is 1-3 KiB. */
    static final int MAX_BYTES = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final URI uri;
    private final String what;
    private final HttpClient http;

    /**
     * @param what the certificate in messages ("certificate of cluster X (url)")
     * @throws IllegalArgumentException when the CA bundle cannot be read (at start-up, naming the cluster)
     */
    UrlCertificateFetcher(String cluster, CertificateConfig.FromUrl source, String what) {
        this.uri = URI.create(source.url());
        this.what = what;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        if (source.caBundle() != null) {
            builder.sslContext(trusting(cluster, Path.of(source.caBundle())));
        }
        this.http = builder.build();
    }

    /** The body of a 200 answer. */
    String fetch() throws RetriableStageException, PermanentStageException {
        HttpResponse<InputStream> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (SSLHandshakeException e) {
            throw new PermanentStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what
                    + ": the TLS server is not trusted (check certificate.caBundle): " + e.getMessage());
        } catch (IOException e) {
            throw new RetriableStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": interrupted", e);
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status >= 300 && status < 400) {
                throw new PermanentStageException(ErrorCode.CERTIFICATE_REFUSED, what + ": " + uri + " answered HTTP "
                        + status + " (a redirect); redirects are not followed: configure the final URL");
            }
            if (status == 429 || status >= 500) {
                throw new RetriableStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": HTTP " + status, null);
            }
            if (status != 200) {
                throw new PermanentStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": HTTP " + status);
            }
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            byte[] bytes = length > MAX_BYTES ? null : body.readNBytes(MAX_BYTES + 1);
            if (bytes == null || bytes.length > MAX_BYTES) {
                throw new PermanentStageException(ErrorCode.CERTIFICATE_REFUSED, what + ": the answer is larger than "
                        + MAX_BYTES / 1024 + " KiB; a PEM certificate is a few KiB");
            }
            return new String(bytes, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new RetriableStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": reading the answer: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static SSLContext trusting(String cluster, Path bundle) {
        String key = "clusters." + cluster + ".certificate.caBundle";
        try (InputStream in = Files.newInputStream(bundle)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new IllegalArgumentException(key + ": " + bundle + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + bundle + " (" + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ": " + bundle + " is not a PEM bundle of CA certificates");
        }
    }
}

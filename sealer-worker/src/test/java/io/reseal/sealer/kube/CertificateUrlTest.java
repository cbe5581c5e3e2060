package io.reseal.sealer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.reseal.embedded.CertificateUrlServer;
import io.reseal.embedded.TestCertificates;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.TestControllers;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A certificate from a URL, from a real HTTPS server whose TLS certificate a test CA signed: what the sealer
 * refuses to take from it, and that a CA bundle and a pin are what decide.
 */
class CertificateUrlTest {

    private static final String PEM = TestControllers.key(0).certificatePem();
    private static final String FINGERPRINT = TestControllers.key(0).sealingCertificate().fingerprint();

    @TempDir
    java.nio.file.Path dir;

    private TestCertificates tls;
    private CertificateUrlServer server;

    @BeforeEach
    void start() throws Exception {
        tls = TestCertificates.create(dir.resolve("tls"));
        server = CertificateUrlServer.https(tls, PEM);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aPlainHttpUrlIsRefusedAtStartUpNamingTheClusterUnlessInsecure() throws Exception {
        assertThatThrownBy(() -> new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromUrl("http://certs.example.com/v1/cert.pem", null)))
                .hasMessageContaining("clusters.dev-cluster.certificate.url").hasMessageContaining("https")
                .hasMessageContaining("insecure: true");
        try (CertificateUrlServer plain = CertificateUrlServer.http(PEM)) {
            CertificateSource certificates = source(new CertificateConfig.FromUrl(plain.url("/cert.pem"), null, true, null, null));
            assertThat(certificates.current("dev-cluster").fingerprint()).isEqualTo(FINGERPRINT);
        }
    }

    @Test
    void theCaBundleIsTheOnlyTrustAnchorOfTheUrl() throws Exception {
        CertificateSource trusted = source(new CertificateConfig.FromUrl(server.url("/cert.pem"), null, null,
                tls.caFile().toString(), null));
        assertThat(trusted.current("dev-cluster").fingerprint()).isEqualTo(FINGERPRINT);

        TestCertificates otherCa = TestCertificates.create(dir.resolve("other"));
        CertificateSource mistrusted = source(new CertificateConfig.FromUrl(server.url("/cert.pem"), null, null,
                otherCa.caFile().toString(), null));
        assertThatThrownBy(() -> mistrusted.current("dev-cluster"))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("dev-cluster").hasMessageContaining("not trusted");
    }

    @Test
    void aCaBundleThatCannotBeReadIsRefusedAtStartUp() {
        assertThatThrownBy(() -> source(new CertificateConfig.FromUrl(server.url("/cert.pem"), null, null,
                dir.resolve("missing.pem").toString(), null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clusters.dev-cluster.certificate.caBundle");
    }

    @Test
    void aRedirectIsNotFollowed() {
        CertificateSource certificates = source(new CertificateConfig.FromUrl(server.url("/redirect"), null, null,
                tls.caFile().toString(), null));
        assertThatThrownBy(() -> certificates.current("dev-cluster"))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("302").hasMessageContaining(server.url("/redirect"))
                .extracting(e -> ((PermanentStageException) e).code()).isEqualTo(ErrorCode.CERTIFICATE_REFUSED.wire());
    }

    @Test
    void aBodyLargerThanTheLimitIsRefusedWhileReading() {
        CertificateSource certificates = source(new CertificateConfig.FromUrl(server.url("/endless"), null, null,
                tls.caFile().toString(), null));
        // the body never ends: only a limit applied while reading can answer at all
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> certificates.current("dev-cluster"))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("64 KiB"));
    }

    @Test
    void aPinnedUrlServingAnotherCertificateIsRefused() throws Exception {
        String otherPin = "SHA256:" + TestControllers.key(1).sealingCertificate().fingerprint();
        CertificateSource pinnedElsewhere = source(new CertificateConfig.FromUrl(server.url("/cert.pem"), null, null,
                tls.caFile().toString(), otherPin));
        assertThatThrownBy(() -> pinnedElsewhere.current("dev-cluster"))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("dev-cluster").hasMessageContaining(FINGERPRINT).hasMessageContaining("pinned")
                .extracting(e -> ((PermanentStageException) e).code()).isEqualTo(ErrorCode.CERTIFICATE_PIN_MISMATCH.wire());

        // the pin as openssl prints it (upper case, colons) and in base64 both match
        String colons = FINGERPRINT.toUpperCase().replaceAll("(..)(?!$)", "$1:");
        String base64 = Base64.getEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(FINGERPRINT));
        for (String pin : List.of("SHA256:" + colons, "sha256:" + base64)) {
            CertificateSource pinned = source(new CertificateConfig.FromUrl(server.url("/cert.pem"), null, null,
                    tls.caFile().toString(), pin));
            assertThat(pinned.current("dev-cluster").fingerprint()).as(pin).isEqualTo(FINGERPRINT);
        }
    }

    @Test
    void aMalformedPinIsRefusedAtStartUp() {
        assertThatThrownBy(() -> new CertificateConfig.FromUrl(server.url("/cert.pem"), null, null, null, "SHA256:abc"))
                .hasMessageContaining("certificate.fingerprint").hasMessageContaining("SHA256:");
    }

    private static CertificateSource source(CertificateConfig.FromUrl url) {
        List<ClusterConfig> clusters = List.of(new ClusterConfig("dev-cluster", null, false, url));
        return new CertificateSource(clusters, new ClusterAccess(clusters, Map.of()), Clock.systemUTC(), (c, cert) -> { });
    }
}

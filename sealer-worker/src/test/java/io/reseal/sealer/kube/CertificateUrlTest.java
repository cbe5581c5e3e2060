package io.reseal.sealer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.TestControllers;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A certificate from a URL, from a real HTTP server: what the sealer refuses to take from it. */
class CertificateUrlTest {

    private static final String PEM = TestControllers.key(0).certificatePem();

    @Test
    void aPlainHttpUrlIsRefusedAtStartUpNamingTheCluster() {
        assertThatThrownBy(() -> new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromUrl("http://certs.example.com/v1/cert.pem", null)))
                .hasMessageContaining("dev-cluster").hasMessageContaining("https");
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        try (TestCertificateServer server = TestCertificateServer.http(PEM)) {
            CertificateSource certificates = source(server.url("/redirect"));
            assertThatThrownBy(() -> certificates.current("dev-cluster"))
                    .isInstanceOf(PermanentStageException.class)
                    .hasMessageContaining("302").hasMessageContaining(server.url("/redirect"));
        }
    }

    @Test
    void aBodyLargerThanTheLimitIsRefusedWhileReading() throws Exception {
        try (TestCertificateServer server = TestCertificateServer.http(PEM)) {
            CertificateSource certificates = source(server.url("/endless"));
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> certificates.current("dev-cluster"))
                    .isInstanceOf(PermanentStageException.class)
                    .hasMessageContaining("64 KiB"));
        }
    }

    private static CertificateSource source(String url) {
        List<ClusterConfig> clusters = List.of(new ClusterConfig("dev-cluster", null, false,
                new CertificateConfig.FromUrl(url, null)));
        return new CertificateSource(clusters, new ClusterAccess(clusters, Map.of()), Clock.systemUTC(), (c, cert) -> { });
    }
}

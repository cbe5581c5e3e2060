package io.reseal.sealer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.YamlConfigReader;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.ClusterConfig.ControllerRef;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A cluster's certificate source is told apart by the one key it is written with; {@code refresh} goes with any. */
class CertificateConfigYamlTest {

    record Certificates(Map<String, CertificateConfig> certificates) {}

    @Test
    void eachKindIsReadFromTheKeyItIsWrittenWithAndDefaultsToAFiveMinuteRefresh() {
        // given
        String yaml = """
                certificates:
                  a: {file: /etc/reseal/dev.pem}
                  b: {url: https://certs.example.com/v1/cert.pem}
                  c: {controller: {}}
                  d: {controller: {namespace: sealed-secrets, name: controller}}
                """;

        // when
        Map<String, CertificateConfig> certificates = read(yaml).certificates();

        // then
        Duration fiveMinutes = Duration.ofMinutes(5);
        assertThat(certificates).containsExactly(
                Map.entry("a", new CertificateConfig.FromFile("/etc/reseal/dev.pem", fiveMinutes)),
                Map.entry("b", new CertificateConfig.FromUrl("https://certs.example.com/v1/cert.pem", fiveMinutes)),
                Map.entry("c", new CertificateConfig.FromController(
                        new ControllerRef("kube-system", "sealed-secrets-controller"), fiveMinutes)),
                Map.entry("d", new CertificateConfig.FromController(
                        new ControllerRef("sealed-secrets", "controller"), fiveMinutes)));
    }

    @Test
    void refreshIsTakenWithEveryKindBeforeOrAfterItsKey() {
        // given
        String yaml = """
                certificates:
                  a: {file: /etc/reseal/dev.pem, refresh: PT1S}
                  b: {refresh: PT2S, url: http://certs.example.com/v1/cert.pem}
                  c: {controller: {namespace: ops}, refresh: PT3M}
                """;

        // when
        Map<String, CertificateConfig> certificates = read(yaml).certificates();

        // then
        assertThat(certificates).containsExactly(
                Map.entry("a", new CertificateConfig.FromFile("/etc/reseal/dev.pem", Duration.ofSeconds(1))),
                Map.entry("b", new CertificateConfig.FromUrl("http://certs.example.com/v1/cert.pem", Duration.ofSeconds(2))),
                Map.entry("c", new CertificateConfig.FromController(
                        new ControllerRef("ops", "sealed-secrets-controller"), Duration.ofMinutes(3))));
    }

    @Test
    void aUrlTakesItsTrustOptionsAndThePinIsKeptAsHex() {
        String hex = "ab".repeat(32);
        Map<String, CertificateConfig> certificates = read("""
                certificates:
                  a: {url: https://certs.example.com/v1/cert.pem, caBundle: /etc/reseal/ca.pem, fingerprint: "SHA256:%s"}
                  b: {url: http://certs.internal/v1/cert.pem, insecure: true}
                """.formatted(hex.toUpperCase())).certificates();
        assertThat(certificates).containsExactly(
                Map.entry("a", new CertificateConfig.FromUrl("https://certs.example.com/v1/cert.pem", Duration.ofMinutes(5),
                        false, "/etc/reseal/ca.pem", hex)),
                Map.entry("b", new CertificateConfig.FromUrl("http://certs.internal/v1/cert.pem", Duration.ofMinutes(5),
                        true, null, null)));
        assertThatThrownBy(() -> read("certificates:\n  a: {url: 'https://x/cert.pem', fingerprint: 'SHA256:zz-not-it'}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("certificates.a").hasMessageContaining("certificate.fingerprint")
                .hasMessageNotContaining("zz-not-it");
    }

    @Test
    void twoKindsAtOnceAreRefusedNamingTheKeysAndNoValue() {
        assertThatThrownBy(() -> read("certificates:\n  a: {file: /secret-path.pem, url: 'https://user:pw@x/cert.pem'}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("certificates.a")
                .hasMessageContaining("write exactly one of file, url, controller")
                .hasMessageNotContaining("secret-path")
                .hasMessageNotContaining("pw@x");
    }

    @Test
    void noKindOrOnlyARefreshIsRefusedNamingTheKeys() {
        assertThatThrownBy(() -> read("certificates:\n  a: {refresh: PT1S}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("certificates.a")
                .hasMessageContaining("write exactly one of file, url, controller");
        assertThatThrownBy(() -> read("certificates:\n  a: {}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("certificates.a")
                .hasMessageContaining("write exactly one of file, url, controller");
    }

    @Test
    void anUnknownKindIsRefusedNamingTheKeys() {
        assertThatThrownBy(() -> read("certificates:\n  a: {vault: /v1/cert}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("certificates.a")
                .hasMessageContaining("write exactly one of file, url, controller")
                .hasMessageNotContaining("/v1/cert");
    }

    @Test
    void aUrlThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> read("certificates:\n  a: {url: 'ftp://x/cert.pem'}\n"))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("certificate.url must be an https URL (http only with insecure: true)")
                .hasMessageNotContaining("ftp://x");
    }

    private static Certificates read(String yaml) {
        return YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), Certificates.class, "test.yaml");
    }
}

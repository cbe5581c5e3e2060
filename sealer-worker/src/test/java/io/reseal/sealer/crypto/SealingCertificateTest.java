package io.reseal.sealer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.TestCertificates;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SealingCertificateTest {

    private static final Instant NOT_BEFORE = Instant.parse("2026-11-29T03:52:14Z");
    private static final Instant NOT_AFTER = Instant.parse("2036-11-26T03:52:14Z");

    @Test
    void readsTheControllersCertificateDespiteItsEmptySubjectAndIssuer() {
        // when
        SealingCertificate certificate = SealingCertificate.parse(GoldenVectors.text("tls.crt"));

        // then
        assertThat(certificate.fingerprint()).isEqualTo("d43d67c33a6cbd951e2e2140e22bb560c565fd27e1d1c9a17ef334b72642c9d9");
        assertThat(certificate.publicKey().getModulus().bitLength()).isEqualTo(4096);
        assertThat(certificate.notBefore()).isEqualTo(NOT_BEFORE);
        assertThat(certificate.notAfter()).isEqualTo(NOT_AFTER);
        assertThat(certificate.toString()).contains("d43d67c3");
    }

    @Test
    void isValidInsideItsWindowIncludingTheBounds() {
        SealingCertificate certificate = GoldenVectors.certificate();

        assertThat(certificate.requireValidAt(NOT_BEFORE)).isSameAs(certificate);
        assertThat(certificate.requireValidAt(NOT_AFTER)).isSameAs(certificate);
    }

    @Test
    void refusesAnExpiredCertificate() {
        assertThatThrownBy(() -> GoldenVectors.certificate().requireValidAt(NOT_AFTER.plusSeconds(1)))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("expired at 2036-11-26T03:52:14Z");
    }

    @Test
    void refusesACertificateNotYetValid() {
        assertThatThrownBy(() -> GoldenVectors.certificate().requireValidAt(NOT_BEFORE.minusSeconds(1)))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("not valid before 2026-11-29T03:52:14Z");
    }

    @Test
    void refusesAKeyBelow2048Bits() {
        // given
        String pem = TestCertificates.pem(TestCertificates.newKey("RSA", 1024), NOT_BEFORE, NOT_AFTER);

        // when / then
        assertThatThrownBy(() -> SealingCertificate.parse(pem))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("has 1024 bits; at least 2048 are required");
    }

    @Test
    void refusesANonRsaKey() {
        // given
        String pem = TestCertificates.pem(TestCertificates.newKey("EC", 256), NOT_BEFORE, NOT_AFTER);

        // when / then
        assertThatThrownBy(() -> SealingCertificate.parse(pem))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("not RSA");
    }

    @Test
    void refusesTextWithoutACertificate() {
        assertThatThrownBy(() -> SealingCertificate.parse("this is not a certificate"))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("no PEM certificate found");
    }

    @Test
    void refusesAPrivateKeyGivenAsCertificate() {
        assertThatThrownBy(() -> SealingCertificate.parse(GoldenVectors.text("tls.key")))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("only a RSA PRIVATE KEY block")
                .hasMessageNotContaining("MII");
    }

    @Test
    void refusesACertificateBlockOfGarbage() {
        assertThatThrownBy(() -> SealingCertificate.parse("-----BEGIN CERTIFICATE-----\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("not an X.509 certificate");
    }
}

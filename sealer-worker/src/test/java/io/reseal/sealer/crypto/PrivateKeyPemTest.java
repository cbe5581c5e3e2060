package io.reseal.sealer.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.sealer.GoldenVectors;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrivateKeyPemTest {

    @Test
    void readsTheControllersPkcs1Key() {
        // when
        List<RSAPrivateKey> keys = PrivateKeyPem.parse(GoldenVectors.text("tls.key"));

        // then
        assertThat(keys).singleElement().satisfies(key ->
                assertThat(key.getModulus()).isEqualTo(GoldenVectors.certificate().publicKey().getModulus()));
    }

    @Test
    void readsPkcs8KeysAndSkipsCertificates() {
        // given the same key as PKCS#8, after the certificate
        String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(GoldenVectors.privateKey().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";

        // when
        List<RSAPrivateKey> keys = PrivateKeyPem.parse(GoldenVectors.text("tls.crt") + pkcs8 + GoldenVectors.text("tls.key"));

        // then
        assertThat(keys).hasSize(2).allSatisfy(key ->
                assertThat(key.getPrivateExponent()).isEqualTo(GoldenVectors.privateKey().getPrivateExponent()));
    }

    @Test
    void refusesEncryptedKeys() {
        assertThatThrownBy(() -> PrivateKeyPem.parse("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"))
                .isInstanceOf(InvalidPrivateKeyException.class)
                .hasMessageContaining("encrypted private keys are not supported");
    }

    @Test
    void refusesABlockThatIsNotBase64() {
        assertThatThrownBy(() -> PrivateKeyPem.parse("-----BEGIN RSA PRIVATE KEY-----\n%%%%\n-----END RSA PRIVATE KEY-----\n"))
                .isInstanceOf(InvalidPrivateKeyException.class)
                .hasMessageContaining("not valid base64");
    }

    @Test
    void refusesTextWithoutAKey() {
        assertThatThrownBy(() -> PrivateKeyPem.parse(GoldenVectors.text("tls.crt")))
                .isInstanceOf(InvalidPrivateKeyException.class)
                .hasMessageContaining("no PEM private key found");
    }
}

package io.reseal.sealer.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.crypto.InvalidPrivateKeyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateKeyLoaderTest {

    @Test
    void readsPemFilesAndTheControllersKeySecretsInOrder(@TempDir Path dir) throws Exception {
        // given a PEM key, the controller's key Secret, and a kubectl List backup of it
        Path pem = Files.writeString(dir.resolve("tls.key"), GoldenVectors.text("tls.key"));
        Path secret = Files.writeString(dir.resolve("key.yaml"), GoldenVectors.text("sealing-key.secret.yaml"));
        Path list = Files.writeString(dir.resolve("backup.yaml"), "apiVersion: v1\nkind: List\nitems:\n- "
                + GoldenVectors.text("sealing-key.secret.yaml").replace("\n", "\n  "));

        // when
        List<RSAPrivateKey> keys = PrivateKeyLoader.load(List.of(pem, secret, list));

        // then
        assertThat(keys).hasSize(3).allSatisfy(key ->
                assertThat(key.getModulus()).isEqualTo(GoldenVectors.certificate().publicKey().getModulus()));
    }

    @Test
    void namesTheFileThatHoldsNoKey(@TempDir Path dir) throws Exception {
        // given
        Path cert = Files.writeString(dir.resolve("tls.crt"), GoldenVectors.text("tls.crt"));

        // when / then
        assertThatThrownBy(() -> PrivateKeyLoader.load(List.of(cert)))
                .isInstanceOf(InvalidPrivateKeyException.class)
                .hasMessageStartingWith(cert + ": no PEM private key found");
    }
}

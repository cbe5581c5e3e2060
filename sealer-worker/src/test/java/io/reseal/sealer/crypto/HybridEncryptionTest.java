package io.reseal.sealer.crypto;

import static io.reseal.sealer.GoldenVectors.base64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.RecordedRandom;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HybridEncryptionTest {

    private static RSAPublicKey publicKey;
    private static RSAPrivateKey privateKey;
    private static RSAPrivateKey otherKey;

    @BeforeAll
    static void keys() throws Exception {
        publicKey = GoldenVectors.certificate().publicKey();
        privateKey = GoldenVectors.privateKey();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        otherKey = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
    }

    static Stream<JsonNode> positive() {
        return GoldenVectors.positive().stream();
    }

    /** Every positive vector with every sealing provider: both must reproduce the reference bit for bit. */
    static Stream<Arguments> positiveWithEachProvider() {
        return Stream.of(SealingProvider.values())
                .flatMap(provider -> GoldenVectors.positive().stream().map(vector -> Arguments.of(provider, vector)));
    }

    static Stream<Arguments> labelsWithEachProvider() {
        return Stream.of(SealingProvider.values())
                .flatMap(provider -> Stream.of("team-a/api-token", "team-a", "").map(label -> Arguments.of(provider, label)));
    }

    static Stream<JsonNode> negative() {
        return GoldenVectors.negative().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("positive")
    void opensEveryPositiveVector(JsonNode vector) {
        // given
        byte[] sealed = base64(vector, "ciphertext_b64");

        // when
        byte[] opened = new HybridEncryption().open(sealed, vector.get("label").asText(), privateKey);

        // then
        assertThat(opened).isEqualTo(base64(vector, "plaintext_b64"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("positiveWithEachProvider")
    void reproducesEveryPositiveVectorFromItsRecordedRandomness(SealingProvider provider, JsonNode vector) {
        // given the 64 random bytes of the reference: session key, then OAEP seed
        RecordedRandom random = new RecordedRandom(List.of(base64(vector, "session_key_b64"), base64(vector, "oaep_seed_b64")));

        // when
        byte[] sealed = new HybridEncryption(random, provider)
                .seal(base64(vector, "plaintext_b64"), vector.get("label").asText(), publicKey);

        // then
        assertThat(Base64.getEncoder().encodeToString(sealed)).isEqualTo(vector.get("ciphertext_b64").asText());
        assertThat(random.exhausted()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("negative")
    void refusesEveryNegativeVectorSayingWhy(JsonNode vector) {
        // given
        byte[] sealed = base64(vector, "ciphertext_b64");
        UnsealException.Reason expected = switch (vector.get("failure_stage").asText()) {
            case "length" -> UnsealException.Reason.TOO_SHORT;
            case "rsa-oaep" -> UnsealException.Reason.RSA_OAEP;
            case "aes-gcm" -> UnsealException.Reason.AES_GCM;
            default -> throw new IllegalArgumentException(vector.get("failure_stage").asText());
        };

        // when / then
        assertThatThrownBy(() -> new HybridEncryption().open(sealed, vector.get("label").asText(), privateKey))
                .isInstanceOfSatisfying(UnsealException.class, e -> assertThat(e.reason()).isEqualTo(expected))
                .hasMessageContaining(switch (expected) {
                    case TOO_SHORT -> "too short";
                    case RSA_OAEP -> "sealed for another scope, namespace or name";
                    case AES_GCM -> "truncated or tampered";
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"neg-wrong-label", "neg-scope-mismatch"})
    void labelMismatchVectorsOpenUnderTheLabelTheyWereSealedWith(String id) {
        // given
        JsonNode vector = GoldenVectors.negative().stream().filter(v -> v.get("id").asText().equals(id)).findFirst().orElseThrow();

        // when
        byte[] opened = new HybridEncryption().open(base64(vector, "ciphertext_b64"), vector.get("sealed_label").asText(), privateKey);

        // then
        assertThat(opened).isEqualTo(base64(vector, "original_plaintext_b64"));
    }

    @ParameterizedTest(name = "{0}: label \"{1}\"")
    @MethodSource("labelsWithEachProvider")
    void sealedValuesOpenWithTheJdksOwnOaepAndGcm(SealingProvider provider, String label) throws Exception {
        // given
        byte[] plaintext = "s3cr3t-value-\u00e9\u4e2d\ud83d\ude00".getBytes(StandardCharsets.UTF_8);

        // when
        byte[] sealed = new HybridEncryption(new SecureRandom(), provider).seal(plaintext, label, publicKey);

        // then
        assertThat(openWithJdk(sealed, label.getBytes(StandardCharsets.UTF_8))).isEqualTo(plaintext);
    }

    @Test
    void prefersConscryptWhereItsNativeLibraryLoads() {
        // linux x86_64 with glibc, as on the machines this is built on: the fast path must really be taken
        assumeThat(System.getProperty("os.arch")).isIn("amd64", "x86_64");
        assumeThat(System.getProperty("os.name")).isEqualTo("Linux");

        assertThat(SealingProvider.preferred()).isEqualTo(SealingProvider.CONSCRYPT);
        assertThat(new HybridEncryption().provider()).isEqualTo(SealingProvider.CONSCRYPT);
    }

    @Test
    void opensWithWhicheverOfSeveralKeysFits() {
        // given
        byte[] sealed = new HybridEncryption().seal(new byte[] {1, 2, 3}, "ns/name", publicKey);

        // when
        byte[] opened = new HybridEncryption().open(sealed, "ns/name", List.of(otherKey, privateKey));

        // then
        assertThat(opened).containsExactly(1, 2, 3);
    }

    @Test
    void saysHowManyKeysWereTriedWhenNoneFits() {
        // given
        byte[] sealed = new HybridEncryption().seal(new byte[] {1, 2, 3}, "ns/name", publicKey);

        // when / then
        assertThatThrownBy(() -> new HybridEncryption().open(sealed, "ns/name", List.of(otherKey, otherKey)))
                .isInstanceOfSatisfying(UnsealException.class, e -> assertThat(e.reason()).isEqualTo(UnsealException.Reason.RSA_OAEP))
                .hasMessageContaining("with each of the 2 keys");
    }

    @Test
    void refusesAValueShorterThanItsLengthHeader() {
        assertThatThrownBy(() -> new HybridEncryption().open(new byte[] {2}, "ns/name", privateKey))
                .isInstanceOfSatisfying(UnsealException.class, e -> assertThat(e.reason()).isEqualTo(UnsealException.Reason.TOO_SHORT));
    }

    @Test
    void drawsAFreshSessionKeyForEveryValue() {
        // given
        HybridEncryption encryption = new HybridEncryption();

        // when
        byte[] first = encryption.seal(new byte[32], "ns/name", publicKey);
        byte[] second = encryption.seal(new byte[32], "ns/name", publicKey);

        // then the AES-GCM parts differ although plaintext and (zero) nonce are equal
        assertThat(Arrays.copyOfRange(first, 514, first.length)).isNotEqualTo(Arrays.copyOfRange(second, 514, second.length));
    }

    /** An independent decryptor: only the JDK's SunJCE, none of our code. */
    private static byte[] openWithJdk(byte[] sealed, byte[] label) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(sealed);
        byte[] rsaPart = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(rsaPart);
        byte[] aesPart = new byte[in.remaining()];
        in.get(aesPart);

        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.DECRYPT_MODE, privateKey,
                new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, new PSource.PSpecified(label)));
        byte[] sessionKey = rsa.doFinal(rsaPart);

        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(sessionKey, "AES"), new GCMParameterSpec(128, new byte[12]));
        return gcm.doFinal(aesPart);
    }
}

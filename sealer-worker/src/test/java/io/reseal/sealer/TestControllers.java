package io.reseal.sealer;

import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.manifest.SealedSecretManifest;
import io.reseal.sealer.manifest.SecretManifest;
import io.reseal.sealer.manifest.SecretSealer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sealed-secrets controllers for tests: 2048-bit key pairs (made once per JVM, valid from a day ago for ten
 * years), and unsealing a SealedSecret manifest back to its plaintext with one of their keys.
 */
public final class TestControllers {

    private static final Instant NOT_BEFORE = Instant.now().minus(Duration.ofDays(1));
    private static final List<ControllerKeyPair> KEYS = new ArrayList<>();

    private TestControllers() {
    }

    /** The {@code index}-th test key pair (0, 1, 2, ...); the same object for the same index within a JVM. */
    public static synchronized ControllerKeyPair key(int index) {
        while (KEYS.size() <= index) {
            KEYS.add(ControllerKeyPair.generate("reseal-test-" + KEYS.size(), 2048, NOT_BEFORE, new SecureRandom()));
        }
        return KEYS.get(index);
    }

    /** Key name to plaintext (UTF-8) of a SealedSecret manifest, opened with {@code key}'s private key. */
    public static Map<String, String> unseal(String sealedSecretManifest, ControllerKeyPair key) {
        SecretManifest secret = new SecretSealer(new HybridEncryption(), Clock.systemUTC()).unseal(
                SealedSecretManifest.parse(new ByteArrayInputStream(sealedSecretManifest.getBytes(StandardCharsets.UTF_8))),
                List.of((RSAPrivateKey) key.keys().getPrivate()));
        try {
            Map<String, String> plaintext = new LinkedHashMap<>();
            secret.values().forEach((name, value) -> plaintext.put(name, new String(value.bytes(), StandardCharsets.UTF_8)));
            return plaintext;
        } finally {
            secret.destroy();
        }
    }
}

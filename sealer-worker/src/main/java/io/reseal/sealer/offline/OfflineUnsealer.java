package io.reseal.sealer.offline;

import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.manifest.SealedSecretManifest;
import io.reseal.sealer.manifest.SecretManifest;
import io.reseal.sealer.manifest.SecretSealer;
import java.io.InputStream;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.util.List;

/**
 * {@code reseal unseal --key tls.key[,older.key]}: recovery without a cluster. Opens a SealedSecret
 * manifest (YAML or JSON) with the controller's private keys, each value with the first key that
 * fits, as the controller does, and returns the Secret manifest.
 *
 * <p>The result holds plaintext (base64 under {@code data}); hand it only to its owner. Failures are
 * {@link io.reseal.sealer.crypto.SealingException}s naming each key that does not open and why.
 * Thread-safe.
 */
public final class OfflineUnsealer {

    private final SecretSealer sealer;

    public OfflineUnsealer() {
        this(new HybridEncryption());
    }

    public OfflineUnsealer(HybridEncryption encryption) {
        this.sealer = new SecretSealer(encryption, Clock.systemUTC());
    }

    /** The Secret manifest, in {@code format}, that {@code sealedSecret} unseals to. */
    public String unseal(InputStream sealedSecret, List<RSAPrivateKey> keys, OutputFormat format) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no private key given to unseal with");
        }
        SecretManifest secret = sealer.unseal(SealedSecretManifest.parse(sealedSecret), keys);
        try {
            return secret.render(format);
        } finally {
            secret.destroy();
        }
    }
}

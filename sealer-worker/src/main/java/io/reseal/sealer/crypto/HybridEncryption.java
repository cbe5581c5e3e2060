package io.reseal.sealer.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.DataLengthException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.encodings.OAEPEncoding;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.modes.gcm.BasicGCMMultiplier;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;

/**
 * The sealed-secrets hybrid encryption of one value, byte-compatible with {@code HybridEncrypt} and
 * {@code HybridDecrypt} of bitnami-labs/sealed-secrets {@code pkg/crypto/crypto.go}.
 *
 * <p>Format: {@code uint16-BE length of the RSA part || RSA-OAEP(SHA-256, MGF1-SHA-256, label) of a
 * fresh 32-byte session key || AES-256-GCM(session key, 12 zero bytes as nonce, no AAD) of the value,
 * tag appended}. The zero nonce is safe only because every session key seals exactly one value.
 * The label is the UTF-8 encoding of {@link io.reseal.pipeline.event.SecretScope#label}.
 *
 * <p>Each {@link #seal} draws 64 bytes from the random source: the session key (32), then the OAEP
 * seed (32), the order of the reference, so a recorded source reproduces its output bit for bit.
 *
 * <p>Sealing pads OAEP with BouncyCastle and runs the RSA operation and AES-GCM in a {@link SealingProvider}
 * (Conscrypt where it loads, the JDK otherwise); opening uses BouncyCastle alone, so that it stays independent
 * of the sealing provider.
 *
 * <p>Thread-safe if the random source is (a {@link SecureRandom} is): sealing uses cipher objects
 * of its own thread, opening builds short-lived ones. Session keys are wiped once used. Error messages never carry
 * plaintext or key bytes.
 */
public final class HybridEncryption {

    private static final int SESSION_KEY_BYTES = 32;
    private static final int GCM_NONCE_BYTES = 12;
    private static final int GCM_TAG_BITS = 128;
    private static final int LENGTH_HEADER_BYTES = 2;
    /** The raw RSA engine holds its key itself; OAEP's parameters only carry the random source. */
    private static final CipherParameters NO_PARAMETERS = new CipherParameters() { };

    private final SecureRandom random;
    private final SealingProvider provider;

    /** Seals with a fresh {@link SecureRandom} and {@link SealingProvider#preferred()}. */
    public HybridEncryption() {
        this(new SecureRandom());
    }

    /** Seals with the given random source (also used for RSA blinding when opening) and the preferred provider. */
    public HybridEncryption(SecureRandom random) {
        this(random, SealingProvider.preferred());
    }

    /** Seals with the given random source and provider; both produce the same bytes from the same randomness. */
    public HybridEncryption(SecureRandom random, SealingProvider provider) {
        this.random = Objects.requireNonNull(random, "random");
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /** The provider this instance seals with. */
    public SealingProvider provider() {
        return provider;
    }

    /** Seals {@code plaintext} for {@code label} with the controller's public key. */
    public byte[] seal(byte[] plaintext, String label, RSAPublicKey key) {
        byte[] sessionKey = new byte[SESSION_KEY_BYTES];
        random.nextBytes(sessionKey);
        try {
            // OAEP in Java, so its seed comes from our random source after the session key; the provider does
            // the RSA operation and AES-GCM, where the time goes.
            OAEPEncoding oaep = oaep(new RawRsaEngine(provider.rawRsa(), key), label);
            oaep.init(true, new ParametersWithRandom(NO_PARAMETERS, random));
            byte[] rsaPart = oaep.processBlock(sessionKey, 0, sessionKey.length);
            Cipher gcm = provider.aesGcm();
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"),
                    new GCMParameterSpec(GCM_TAG_BITS, new byte[GCM_NONCE_BYTES]));
            byte[] sealed = new byte[LENGTH_HEADER_BYTES + rsaPart.length + gcm.getOutputSize(plaintext.length)];
            sealed[0] = (byte) (rsaPart.length >>> 8);
            sealed[1] = (byte) rsaPart.length;
            System.arraycopy(rsaPart, 0, sealed, LENGTH_HEADER_BYTES, rsaPart.length);
            gcm.doFinal(plaintext, 0, plaintext.length, sealed, LENGTH_HEADER_BYTES + rsaPart.length);
            return sealed;
        } catch (GeneralSecurityException | CryptoException e) {
            throw new SealingException("sealing failed: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(sessionKey, (byte) 0);
        }
    }

    /** Opens a value sealed for {@code label} with the public half of {@code key}. */
    public byte[] open(byte[] sealed, String label, RSAPrivateKey key) {
        return open(sealed, label, List.of(key));
    }

    /**
     * Opens a value with the first of {@code keys} whose RSA-OAEP step succeeds, as the controller
     * does with its current and retired keys.
     *
     * @throws UnsealException when the value is too short, no key opens the RSA part, or AES-GCM
     *     authentication fails
     */
    public byte[] open(byte[] sealed, String label, List<RSAPrivateKey> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no private key to open the value with");
        }
        if (sealed.length < LENGTH_HEADER_BYTES) {
            throw new UnsealException(UnsealException.Reason.TOO_SHORT,
                    "sealed value is too short: " + sealed.length + " bytes");
        }
        int rsaLength = ((sealed[0] & 0xff) << 8) | (sealed[1] & 0xff);
        if (sealed.length < LENGTH_HEADER_BYTES + rsaLength) {
            throw new UnsealException(UnsealException.Reason.TOO_SHORT, "sealed value is too short: "
                    + sealed.length + " bytes, but its header announces a " + rsaLength + "-byte RSA part");
        }
        for (RSAPrivateKey key : keys) {
            byte[] sessionKey = unwrapSessionKey(sealed, rsaLength, label, key);
            if (sessionKey != null) {
                try {
                    return decryptValue(sealed, LENGTH_HEADER_BYTES + rsaLength, sessionKey);
                } finally {
                    Arrays.fill(sessionKey, (byte) 0);
                }
            }
        }
        throw new UnsealException(UnsealException.Reason.RSA_OAEP, "RSA-OAEP decryption failed under label \""
                + label + "\"" + (keys.size() > 1 ? " with each of the " + keys.size() + " keys" : "")
                + ": sealed for another scope, namespace or name, or with another key");
    }

    /** The session key, or {@code null} when RSA-OAEP refuses the block (wrong label or key). */
    private byte[] unwrapSessionKey(byte[] sealed, int rsaLength, String label, RSAPrivateKey key) {
        OAEPEncoding oaep = oaep(new RSABlindedEngine(), label);
        oaep.init(false, new ParametersWithRandom(privateKeyParameters(key), random));
        try {
            return oaep.processBlock(sealed, LENGTH_HEADER_BYTES, rsaLength);
        } catch (CryptoException | DataLengthException e) {
            return null;
        }
    }

    private static byte[] decryptValue(byte[] sealed, int offset, byte[] sessionKey) {
        try {
            GCMModeCipher gcm = gcm(false, sessionKey);
            int length = sealed.length - offset;
            byte[] plaintext = new byte[gcm.getOutputSize(length)];
            int written = gcm.processBytes(sealed, offset, length, plaintext, 0);
            gcm.doFinal(plaintext, written);
            return plaintext;
        } catch (CryptoException | IllegalArgumentException e) {
            throw new UnsealException(UnsealException.Reason.AES_GCM,
                    "AES-GCM authentication failed: the sealed value was truncated or tampered with");
        }
    }

    private static OAEPEncoding oaep(org.bouncycastle.crypto.AsymmetricBlockCipher rsa, String label) {
        return new OAEPEncoding(rsa, SHA256Digest.newInstance(), SHA256Digest.newInstance(),
                label.getBytes(StandardCharsets.UTF_8));
    }

    /** Values are short, so the table-free multiplier is faster than building GCM tables per key. */
    private static GCMModeCipher gcm(boolean forEncryption, byte[] sessionKey) {
        GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance(), new BasicGCMMultiplier());
        gcm.init(forEncryption, new AEADParameters(new KeyParameter(sessionKey), GCM_TAG_BITS, new byte[GCM_NONCE_BYTES]));
        return gcm;
    }

    private static RSAKeyParameters privateKeyParameters(RSAPrivateKey key) {
        if (key instanceof RSAPrivateCrtKey crt) {
            return new RSAPrivateCrtKeyParameters(crt.getModulus(), crt.getPublicExponent(), crt.getPrivateExponent(),
                    crt.getPrimeP(), crt.getPrimeQ(), crt.getPrimeExponentP(), crt.getPrimeExponentQ(),
                    crt.getCrtCoefficient());
        }
        return new RSAKeyParameters(true, key.getModulus(), key.getPrivateExponent());
    }
}

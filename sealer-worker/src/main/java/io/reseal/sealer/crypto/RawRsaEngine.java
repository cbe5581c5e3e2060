package io.reseal.sealer.crypto;

import java.security.GeneralSecurityException;
import java.security.interfaces.RSAPublicKey;
import javax.crypto.Cipher;
import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.DataLengthException;

/**
 * BouncyCastle's view of one provider's raw RSA public-key operation ({@code RSA/ECB/NoPadding}), so that
 * {@code OAEPEncoding} pads in Java and the provider does the modular exponentiation. Encryption with the
 * key given at construction only; the parameters of {@link #init} are ignored (the padding's random source
 * travels in them). One instance per seal, on the thread whose cipher it uses.
 */
final class RawRsaEngine implements AsymmetricBlockCipher {

    private final Cipher cipher;
    private final RSAPublicKey key;
    private final int modulusBytes;

    RawRsaEngine(Cipher cipher, RSAPublicKey key) {
        this.cipher = cipher;
        this.key = key;
        this.modulusBytes = (key.getModulus().bitLength() + 7) / 8;
    }

    @Override
    public void init(boolean forEncryption, CipherParameters parameters) {
        if (!forEncryption) {
            throw new IllegalArgumentException("a raw RSA engine of a public key only encrypts");
        }
    }

    /** As BouncyCastle's RSA engine: one byte less than the modulus, so the block is below it. */
    @Override
    public int getInputBlockSize() {
        return modulusBytes - 1;
    }

    @Override
    public int getOutputBlockSize() {
        return modulusBytes;
    }

    @Override
    public byte[] processBlock(byte[] in, int offset, int length) {
        if (length > getInputBlockSize()) {
            throw new DataLengthException("input too large for the RSA key");
        }
        byte[] block = new byte[modulusBytes]; // the leading zero byte of the encoded message, as RFC 8017 has it
        System.arraycopy(in, offset, block, modulusBytes - length, length);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key);
            return cipher.doFinal(block);
        } catch (GeneralSecurityException e) {
            throw new SealingException("RSA encryption failed: " + e.getClass().getSimpleName());
        }
    }
}

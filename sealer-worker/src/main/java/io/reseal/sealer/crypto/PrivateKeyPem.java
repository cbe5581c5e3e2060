package io.reseal.sealer.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.encoders.DecoderException;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads the controller's RSA private keys from PEM, for recovery unsealing: PKCS#1
 * ({@code RSA PRIVATE KEY}, as the controller stores {@code tls.key}) and PKCS#8 ({@code PRIVATE KEY}).
 * Stateless and thread-safe. Error messages never contain key material.
 */
public final class PrivateKeyPem {

    private static final String PKCS1 = "RSA PRIVATE KEY";
    private static final String PKCS8 = "PRIVATE KEY";

    private PrivateKeyPem() {
    }

    /**
     * Every private key in {@code pem}, in order; other blocks (such as certificates) are skipped.
     *
     * @throws InvalidPrivateKeyException when there is no private key, or one is encrypted, not RSA,
     *     or malformed
     */
    public static List<RSAPrivateKey> parse(String pem) {
        List<RSAPrivateKey> keys = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                String type = block.getType();
                if (type.equals("ENCRYPTED PRIVATE KEY") || isEncrypted(block)) {
                    throw new InvalidPrivateKeyException("encrypted private keys are not supported;"
                            + " decrypt it first (openssl pkey -in KEY -out PLAIN.key)");
                }
                if (type.equals(PKCS1) || type.equals(PKCS8)) {
                    keys.add(rsaKey(type, block.getContent()));
                }
            }
        } catch (IOException | DecoderException e) {
            throw new InvalidPrivateKeyException("unreadable PEM: a block is not valid base64", e);
        }
        if (keys.isEmpty()) {
            throw new InvalidPrivateKeyException("no PEM private key found (expected a -----BEGIN "
                    + PKCS1 + "----- or -----BEGIN " + PKCS8 + "----- block)");
        }
        return keys;
    }

    private static boolean isEncrypted(PemObject block) {
        for (Object header : block.getHeaders()) {
            if (header instanceof PemHeader h && "Proc-Type".equals(h.getName()) && h.getValue().contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    private static RSAPrivateKey rsaKey(String type, byte[] der) {
        try {
            KeyFactory rsa = KeyFactory.getInstance("RSA");
            if (type.equals(PKCS1)) {
                org.bouncycastle.asn1.pkcs.RSAPrivateKey k = org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(der);
                return (RSAPrivateKey) rsa.generatePrivate(new RSAPrivateCrtKeySpec(k.getModulus(),
                        k.getPublicExponent(), k.getPrivateExponent(), k.getPrime1(), k.getPrime2(),
                        k.getExponent1(), k.getExponent2(), k.getCoefficient()));
            }
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(der);
            if (!PKCSObjectIdentifiers.rsaEncryption.equals(info.getPrivateKeyAlgorithm().getAlgorithm())) {
                throw new InvalidPrivateKeyException("private key is not RSA (algorithm "
                        + info.getPrivateKeyAlgorithm().getAlgorithm().getId() + "); sealed-secrets keys are RSA");
            }
            PrivateKey key = rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
            return (RSAPrivateKey) key;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidPrivateKeyException("malformed " + type + " block", e);
        }
    }
}

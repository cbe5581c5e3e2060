package io.reseal.sealer.crypto;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.util.Properties;
import org.bouncycastle.util.encoders.DecoderException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * A sealed-secrets controller's certificate ({@code tls.crt}, {@code /v1/cert.pem}), checked to be
 * usable for sealing: an X.509 certificate with an RSA key of at least 2048 bits. Whether it is
 * within its validity window depends on the time, so that is a separate check, {@link #requireValidAt}.
 *
 * <p>Immutable and thread-safe. Holds no secret.
 */
public final class SealingCertificate {

    /** Smallest RSA modulus accepted. The controller's default is 4096. */
    public static final int MIN_KEY_BITS = 2048;

    /**
     * The controller leaves subject and issuer empty (its {@code --my-cn} defaults to empty), which
     * BouncyCastle (and the JDK) refuse unless this override is set.
     */
    private static final String ALLOW_EMPTY_ISSUER = "org.bouncycastle.x509.allow_empty_issuer_cert";

    private final RSAPublicKey publicKey;
    private final String fingerprint;
    private final Instant notBefore;
    private final Instant notAfter;

    private SealingCertificate(RSAPublicKey publicKey, String fingerprint, Instant notBefore, Instant notAfter) {
        this.publicKey = publicKey;
        this.fingerprint = fingerprint;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
    }

    /**
     * Reads the first {@code CERTIFICATE} block of a PEM text.
     *
     * @throws InvalidCertificateException when there is no such block, it is not a certificate,
     *     or its key is not RSA of at least {@value #MIN_KEY_BITS} bits
     */
    public static SealingCertificate parse(String pem) {
        byte[] der = firstCertificateBlock(Objects.requireNonNull(pem, "pem"));
        X509CertificateHolder holder = decode(der);
        RSAPublicKey key = rsaKey(holder.getSubjectPublicKeyInfo());
        return new SealingCertificate(key, sha256Hex(der),
                holder.getNotBefore().toInstant(), holder.getNotAfter().toInstant());
    }

    /**
     * Returns this certificate if {@code now} lies within its validity window.
     *
     * @throws InvalidCertificateException naming the bound that {@code now} is outside of
     */
    public SealingCertificate requireValidAt(Instant now) {
        if (now.isAfter(notAfter)) {
            throw new InvalidCertificateException("certificate " + fingerprint + " expired at " + notAfter
                    + " (checked at " + now + "); fetch the controller's current certificate");
        }
        if (now.isBefore(notBefore)) {
            throw new InvalidCertificateException("certificate " + fingerprint + " is not valid before " + notBefore
                    + " (checked at " + now + "); is this clock behind?");
        }
        return this;
    }

    /** The controller's public key, to seal with. */
    public RSAPublicKey publicKey() {
        return publicKey;
    }

    /** SHA-256 of the certificate's DER encoding, lower-case hex. */
    public String fingerprint() {
        return fingerprint;
    }

    public Instant notBefore() {
        return notBefore;
    }

    public Instant notAfter() {
        return notAfter;
    }

    @Override
    public String toString() {
        return "SealingCertificate[sha256=" + fingerprint + ", rsa=" + publicKey.getModulus().bitLength()
                + " bits, notAfter=" + notAfter + "]";
    }

    private static byte[] firstCertificateBlock(String pem) {
        String seen = null;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            for (PemObject block = reader.readPemObject(); block != null; block = reader.readPemObject()) {
                if ("CERTIFICATE".equals(block.getType())) {
                    return block.getContent();
                }
                seen = seen == null ? block.getType() : seen;
            }
        } catch (IOException | DecoderException e) {
            throw new InvalidCertificateException("unreadable PEM: a block is not valid base64", e);
        }
        throw new InvalidCertificateException(seen == null
                ? "no PEM certificate found (expected a -----BEGIN CERTIFICATE----- block)"
                : "no PEM certificate found, only a " + seen + " block");
    }

    private static X509CertificateHolder decode(byte[] der) {
        Properties.setThreadOverride(ALLOW_EMPTY_ISSUER, true);
        try {
            return new X509CertificateHolder(der);
        } catch (IOException | RuntimeException e) {
            throw new InvalidCertificateException("the PEM CERTIFICATE block is not an X.509 certificate", e);
        } finally {
            Properties.removeThreadOverride(ALLOW_EMPTY_ISSUER);
        }
    }

    private static RSAPublicKey rsaKey(SubjectPublicKeyInfo info) {
        if (!PKCSObjectIdentifiers.rsaEncryption.equals(info.getAlgorithm().getAlgorithm())) {
            throw new InvalidCertificateException("certificate key is not RSA (algorithm "
                    + info.getAlgorithm().getAlgorithm().getId() + "); sealed-secrets seals with RSA-OAEP");
        }
        RSAPublicKey key;
        try {
            key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidCertificateException("certificate RSA key is malformed", e);
        }
        int bits = key.getModulus().bitLength();
        if (bits < MIN_KEY_BITS) {
            throw new InvalidCertificateException("certificate RSA key has " + bits + " bits; at least "
                    + MIN_KEY_BITS + " are required");
        }
        return key;
    }

    private static String sha256Hex(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

package io.reseal.sealer.crypto;

import io.reseal.pipeline.files.OwnerOnlyFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A sealing key pair made the way the sealed-secrets controller makes one ({@code pkg/crypto/keys.go}):
 * RSA (4096 bits by default), a self-signed certificate with a random 128-bit serial, valid for 87600 h,
 * key usage "encipher only", CA basic constraints; the subject is a given CN, as with {@code --my-cn}. Used by the local stack as its
 * "cluster" and by tests that need a second or a renewed controller key. Immutable.
 */
public record ControllerKeyPair(KeyPair keys, X509CertificateHolder certificate) {

    public static final Duration KEY_TTL = Duration.ofHours(87600);

    /**
     * @param commonName the certificate's subject and issuer CN (the controller's {@code --my-cn}); BouncyCastle
     *     cannot make the controller's default empty name, which the sealer accepts all the same
     */
    public static ControllerKeyPair generate(String commonName, int bits, Instant notBefore, SecureRandom random) {
        X500Name name = new X500Name("CN=" + commonName);
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits, random);
            KeyPair keys = generator.generateKeyPair();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, new BigInteger(128, random),
                    Date.from(notBefore), Date.from(notBefore.plus(KEY_TTL)), name, keys.getPublic());
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.encipherOnly));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            // Kept as BouncyCastle's holder: the JDK refuses certificates with an empty issuer.
            return new ControllerKeyPair(keys,
                    builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot generate a sealing key pair", e);
        }
    }

    /** The certificate as PEM, what the controller serves at {@code /v1/cert.pem}. */
    public String certificatePem() {
        return pem(certificate);
    }

    /** The certificate as the sealer uses it. */
    public SealingCertificate sealingCertificate() {
        return SealingCertificate.parse(certificatePem());
    }

    /** The private key as PKCS#1 PEM ({@code RSA PRIVATE KEY}), as the controller stores {@code tls.key}. */
    public String privateKeyPem() {
        return pem(keys.getPrivate());
    }

    /**
     * Writes {@code tls.crt} and {@code tls.key} into {@code dir} (created {@code 0700}); the key is created
     * {@code 0600} atomically ({@link OwnerOnlyFiles}).
     */
    public void writeTo(Path dir) {
        try {
            OwnerOnlyFiles.directory(dir);
            OwnerOnlyFiles.write(dir.resolve("tls.key"), privateKeyPem());
            Files.writeString(dir.resolve("tls.crt"), certificatePem(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sealing key pair to " + dir, e);
        }
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}

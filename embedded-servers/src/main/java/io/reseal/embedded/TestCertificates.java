package io.reseal.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests, made with BouncyCastle: a CA, a server certificate for
 * {@code 127.0.0.1} and {@code localhost} in a PKCS12 key store, and client certificates (mTLS) as PEM files.
 * Every file is written under one directory; the CA's PEM is what a client trusts. The keys are fresh EC P-256
 * keys, valid for one day. Not thread-safe.
 */
public final class TestCertificates {

    private static final Duration VALIDITY = Duration.ofDays(1);

    private final Path dir;
    private final String password;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final SecureRandom random = new SecureRandom();

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.password = "store-" + new BigInteger(64, random).toString(36);
        try {
            Files.createDirectories(dir);
            this.caKeys = newKeyPair();
            this.ca = sign(new X500Name("CN=reseal-test-ca"), caKeys, true, null);
            writePem(caFile(), ca);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new CA whose files go under {@code dir} (created when missing). */
    public static TestCertificates create(Path dir) {
        return new TestCertificates(dir);
    }

    /** The CA certificate, PEM: what clients trust. */
    public Path caFile() {
        return dir.resolve("ca.crt");
    }

    /** The password of every key store written here. */
    public String password() {
        return password;
    }

    /** A PKCS12 trust store holding the CA certificate (for a broker that checks client certificates). */
    public Path truststore() {
        Path file = dir.resolve("truststore.p12");
        if (!Files.exists(file)) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setCertificateEntry("ca", ca);
                write(store, file);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot write " + file, e);
            }
        }
        return file;
    }

    /** A PKCS12 key store with a server certificate for {@code 127.0.0.1} and {@code localhost}, signed by the CA. */
    public Path serverKeystore() {
        Path file = dir.resolve("server.p12");
        if (!Files.exists(file)) {
            try {
                KeyPair keys = newKeyPair();
                X509Certificate certificate = sign(new X500Name("CN=localhost"), keys, false, new GeneralNames(
                        new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost")}));
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("server", keys.getPrivate(), password.toCharArray(), new Certificate[] {certificate, ca});
                write(store, file);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot write " + file, e);
            }
        }
        return file;
    }

    /**
     * A client certificate with common name {@code name}, signed by the CA: {@code <name>.crt} (PEM) and
     * {@code <name>.key} (PEM, PKCS#8, unencrypted).
     *
     * @return the certificate file; the key is next to it
     */
    public Path clientCertificate(String name) {
        Path certificateFile = dir.resolve(name + ".crt");
        try {
            KeyPair keys = newKeyPair();
            X509Certificate certificate = sign(new X500Name("CN=" + name), keys, false, null);
            writePem(certificateFile, certificate);
            StringWriter key = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(key)) {
                writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
            }
            Files.writeString(dir.resolve(name + ".key"), key.toString(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return certificateFile;
    }

    private KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC key pair generator", e);
        }
    }

    private X509Certificate sign(X500Name subject, KeyPair keys, boolean isCa, GeneralNames names) {
        try {
            Instant now = Instant.now();
            X500Name issuer = isCa ? subject : new X500Name(ca.getSubjectX500Principal().getName());
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, random),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            }
            if (names != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, names);
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(isCa ? keys.getPrivate() : caKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a test certificate for " + subject, e);
        }
    }

    private static void writePem(Path file, X509Certificate certificate) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        }
        Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
    }

    private void write(KeyStore store, Path file) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }
}

package io.reseal.sealer;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for the cases the golden set lacks, signed with the golden test key. */
public final class TestCertificates {

    private TestCertificates() {
    }

    public static String pem(PublicKey subjectKey, Instant notBefore, Instant notAfter) {
        try {
            var holder = new JcaX509v3CertificateBuilder(new X500Name("CN=reseal-test"), BigInteger.TEN,
                    Date.from(notBefore), Date.from(notAfter), new X500Name("CN=reseal-test"), subjectKey)
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(GoldenVectors.privateKey()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(holder);
            }
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static PublicKey newKey(String algorithm, int size) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(size);
            return generator.generateKeyPair().getPublic();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

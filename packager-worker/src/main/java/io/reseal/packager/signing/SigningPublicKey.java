package io.reseal.packager.signing;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * The public half of a package signing key: checks {@code SHA256SUMS.sig} and names the key by its
 * fingerprint, the lower-case hex SHA-256 of its DER SubjectPublicKeyInfo (what
 * {@code openssl pkey -pubin -outform DER | sha256sum} prints). Immutable and thread-safe.
 */
public final class SigningPublicKey {

    static final String PEM_TYPE = "PUBLIC KEY";

    private final Ed25519PublicKeyParameters key;
    private final byte[] spkiDer;

    SigningPublicKey(Ed25519PublicKeyParameters key) {
        this.key = key;
        try {
            this.spkiDer = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException("encoding an Ed25519 public key", e);
        }
    }

    /**
     * Reads an Ed25519 public key from an SPKI PEM file ({@code -----BEGIN PUBLIC KEY-----}).
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not an Ed25519 public key in SPKI PEM; the message names the file
     */
    public static SigningPublicKey read(Path pemFile) throws IOException {
        String pem = Files.readString(pemFile, StandardCharsets.US_ASCII);
        AsymmetricKeyParameter parsed;
        try {
            parsed = PublicKeyFactory.createKey(SubjectPublicKeyInfo.getInstance(pemContent(pem, PEM_TYPE)));
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException(pemFile + ": not a public key in SPKI PEM: " + e.getMessage(), e);
        }
        if (parsed instanceof Ed25519PublicKeyParameters ed25519) {
            return new SigningPublicKey(ed25519);
        }
        throw new IllegalArgumentException(pemFile + ": not an Ed25519 public key (found "
                + parsed.getClass().getSimpleName().replace("PublicKeyParameters", "").replace("KeyParameters", "") + ")");
    }

    /** True if {@code signature} is this key's Ed25519 signature of {@code data}. */
    public boolean verifies(byte[] data, byte[] signature) {
        if (signature.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
            return false;
        }
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(data, 0, data.length);
        return verifier.verifySignature(signature);
    }

    /** Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo. */
    public String fingerprint() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(spkiDer));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** The key as SPKI PEM, the form openssl reads with {@code -pubin}. */
    public String toPem() {
        return pem(PEM_TYPE, spkiDer);
    }

    @Override
    public String toString() {
        return "SigningPublicKey[Ed25519, sha256=" + fingerprint() + "]";
    }

    static byte[] pemContent(String pem, String expectedType) throws IOException {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object = reader.readPemObject();
            if (object == null) {
                throw new IOException("no PEM block found");
            }
            if (!object.getType().equals(expectedType)) {
                throw new IOException("PEM block is '" + object.getType() + "', expected '" + expectedType + "'");
            }
            return object.getContent();
        }
    }

    static String pem(String type, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        } catch (IOException e) {
            throw new UncheckedIOException("writing PEM to memory", e);
        }
        return out.toString();
    }
}

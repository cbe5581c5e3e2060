package io.reseal.packager.signing;

import io.reseal.pipeline.files.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;

/**
 * Signs packages with an Ed25519 key: {@link #sign} returns the raw 64-byte signature that
 * {@code openssl pkeyutl -verify -pubin -inkey package-signing.pub.pem -rawin} accepts. Keys are PKCS#8
 * PEM ({@code -----BEGIN PRIVATE KEY-----}, what {@code openssl genpkey -algorithm ed25519} writes) for
 * the private half and SPKI PEM for the public half. Ed25519 is deterministic, so the same bytes always
 * get the same signature. Immutable and thread-safe; {@link #toString()} never shows the private key.
 */
public final class PackageSigner {

    /** File name of the private key that {@link #generate} writes. */
    public static final String PRIVATE_KEY_FILE = "package-signing.pem";
    /** File name of the public key that {@link #generate} writes next to it. */
    public static final String PUBLIC_KEY_FILE = "package-signing.pub.pem";

    private static final String PEM_TYPE = "PRIVATE KEY";

    private final Ed25519PrivateKeyParameters privateKey;
    private final SigningPublicKey publicKey;

    private PackageSigner(Ed25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = new SigningPublicKey(privateKey.generatePublicKey());
    }

    /**
     * Loads the signer from an Ed25519 private key file (PKCS#8 PEM).
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file holds no Ed25519 PKCS#8 key; the message names the file
     */
    public static PackageSigner load(Path privateKeyPem) throws IOException {
        String pem = Files.readString(privateKeyPem, StandardCharsets.US_ASCII);
        AsymmetricKeyParameter parsed;
        try {
            parsed = PrivateKeyFactory.createKey(
                    PrivateKeyInfo.getInstance(SigningPublicKey.pemContent(pem, PEM_TYPE)));
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException(privateKeyPem + ": not a private key in PKCS#8 PEM: "
                    + e.getMessage(), e);
        }
        if (parsed instanceof Ed25519PrivateKeyParameters ed25519) {
            return new PackageSigner(ed25519);
        }
        throw new IllegalArgumentException(privateKeyPem + ": not an Ed25519 private key");
    }

    /**
     * Creates a fresh key pair in {@code dir} (created if missing): {@value #PRIVATE_KEY_FILE}, readable
     * by the owner only (created 0600 atomically where the file system has POSIX permissions, in a 0700 folder), and {@value #PUBLIC_KEY_FILE}.
     * Never overwrites a key.
     *
     * @throws FileAlreadyExistsException if either file already exists
     */
    public static PackageSigner generate(Path dir) throws IOException {
        OwnerOnlyFiles.directory(dir);
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        if (Files.exists(publicFile)) {
            throw new FileAlreadyExistsException(publicFile.toString(), null, "a signing key is already there");
        }
        PackageSigner signer = new PackageSigner(new Ed25519PrivateKeyParameters(new SecureRandom()));
        OwnerOnlyFiles.write(privateFile, signer.privateKeyPem());
        Files.writeString(publicFile, signer.publicKey.toPem(), StandardCharsets.US_ASCII);
        return signer;
    }

    /**
     * The key in {@code dir} if {@value #PRIVATE_KEY_FILE} exists there, else a new one from
     * {@link #generate}. Idempotent: local mode calls it on every start and keeps its key.
     */
    public static PackageSigner loadOrGenerate(Path dir) throws IOException {
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        return Files.exists(privateFile) ? load(privateFile) : generate(dir);
    }

    /** The raw 64-byte Ed25519 signature of {@code data}. */
    public byte[] sign(byte[] data) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(data, 0, data.length);
        return signer.generateSignature();
    }

    public SigningPublicKey publicKey() {
        return publicKey;
    }

    /** The public key's fingerprint (see {@link SigningPublicKey#fingerprint()}). */
    public String fingerprint() {
        return publicKey.fingerprint();
    }

    @Override
    public String toString() {
        return "PackageSigner[Ed25519, sha256=" + fingerprint() + "]";
    }

    private String privateKeyPem() throws IOException {
        return SigningPublicKey.pem(PEM_TYPE, PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey).getEncoded());
    }

}

package io.reseal.packager.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageSignerTest {

    @TempDir
    Path dir;

    @Test
    void generatesAnOwnerOnlyPrivateKeyAndAPublicKeyThatVerifiesItsSignatures() throws Exception {
        PackageSigner signer = PackageSigner.generate(dir.resolve("signing"));

        Path privateKey = dir.resolve("signing/package-signing.pem");
        Path publicKey = dir.resolve("signing/package-signing.pub.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
        assertThat(Files.readString(privateKey)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(publicKey)).startsWith("-----BEGIN PUBLIC KEY-----");

        byte[] data = "abc  README.md\n".getBytes(StandardCharsets.UTF_8);
        byte[] signature = signer.sign(data);
        assertThat(signature).hasSize(64);
        assertThat(signer.sign(data)).as("Ed25519 is deterministic").isEqualTo(signature);
        SigningPublicKey read = SigningPublicKey.read(publicKey);
        assertThat(read.verifies(data, signature)).isTrue();
        assertThat(read.verifies("other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
        assertThat(read.fingerprint()).isEqualTo(signer.fingerprint());
        assertThat(PackageSigner.load(privateKey).sign(data)).isEqualTo(signature);
    }

    @Test
    void neverOverwritesAKeyAndLoadOrGenerateKeepsTheFirstOne() throws Exception {
        PackageSigner first = PackageSigner.loadOrGenerate(dir);

        assertThatThrownBy(() -> PackageSigner.generate(dir)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(PackageSigner.loadOrGenerate(dir).fingerprint()).isEqualTo(first.fingerprint());
    }

    @Test
    void fingerprintIsTheSha256OfTheDerPublicKeyAsOpensslComputesIt() throws Exception {
        PackageSigner signer = PackageSigner.generate(dir);

        Process openssl = new ProcessBuilder("openssl", "pkey", "-pubin", "-in",
                dir.resolve(PackageSigner.PUBLIC_KEY_FILE).toString(), "-outform", "DER").start();
        byte[] der = openssl.getInputStream().readAllBytes();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(openssl.exitValue()).isZero();
        assertThat(signer.fingerprint()).isEqualTo(
                HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(der)));
    }

    @Test
    void loadsAKeyMadeByOpensslAndOpensslVerifiesItsSignature() throws Exception {
        Path key = dir.resolve("openssl.pem");
        Path pub = dir.resolve("openssl.pub.pem");
        assertThat(openssl("genpkey", "-algorithm", "ed25519", "-out", key.toString())).isZero();
        assertThat(openssl("pkey", "-in", key.toString(), "-pubout", "-out", pub.toString())).isZero();
        Path data = Files.writeString(dir.resolve("data"), "0123  a\n");
        Path sig = Files.write(dir.resolve("data.sig"), PackageSigner.load(key).sign(Files.readAllBytes(data)));

        assertThat(openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub.toString(), "-rawin",
                "-in", data.toString(), "-sigfile", sig.toString())).isZero();
        assertThat(SigningPublicKey.read(pub).fingerprint()).isEqualTo(PackageSigner.load(key).fingerprint());
    }

    @Test
    void rejectsKeysThatAreNotEd25519WithAMessageNamingTheFile() throws Exception {
        Path rsa = dir.resolve("rsa.pem");
        assertThat(openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa.toString()))
                .isZero();
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");

        assertThatThrownBy(() -> PackageSigner.load(rsa))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(rsa + ": not an Ed25519 private key");
        assertThatThrownBy(() -> PackageSigner.load(garbage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(garbage + ": not a private key in PKCS#8 PEM");
        assertThatThrownBy(() -> SigningPublicKey.read(garbage))
                .hasMessageStartingWith(garbage + ": not a public key in SPKI PEM");
    }

    @Test
    void toStringShowsOnlyTheFingerprint() throws Exception {
        PackageSigner signer = PackageSigner.generate(dir);

        assertThat(signer.toString()).isEqualTo("PackageSigner[Ed25519, sha256=" + signer.fingerprint() + "]");
    }

    private int openssl(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().transferTo(System.out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}

package io.reseal.packager.archive;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.packager.SampleRotation;
import io.reseal.packager.signing.PackageSigner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageVerifierTest {

    @TempDir
    static Path keys;

    static PackageSigner signer;
    static byte[] archive;

    @BeforeAll
    static void buildPackage() throws IOException {
        signer = PackageSigner.generate(keys);
        archive = new PackageBuilder(signer).build(SampleRotation.sealed()).bytes();
    }

    @Test
    void acceptsAnIntactPackageWithItsSignersKey(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("p.tar.gz"), archive);

        VerificationResult result = PackageVerifier.withPublicKey(signer.publicKey()).verify(file);

        assertThat(result.problems()).isEmpty();
        assertThat(result.ok()).isTrue();
        assertThat(result.signatureChecked()).isTrue();
        assertThat(result.signerFingerprint()).isEqualTo(signer.fingerprint());
        assertThat(result.files()).hasSize(10).contains("dev/kustomization.yaml", "SHA256SUMS.sig");
        assertThat(result.describe()).contains("OK     10 files").contains("OK     signature by key " + signer.fingerprint());
    }

    @Test
    void withoutAKeyChecksChecksumsAndSaysTheSignatureWasNotChecked() {
        VerificationResult result = PackageVerifier.checksumsOnly().verify(new ByteArrayInputStream(archive));

        assertThat(result.ok()).isTrue();
        assertThat(result.signatureChecked()).isFalse();
        assertThat(result.signerFingerprint()).isNull();
        assertThat(result.describe()).contains("signature NOT checked");
    }

    @Test
    void namesTheFileWithOneChangedByte() throws IOException {
        Map<String, byte[]> files = unpack();
        byte[] manifest = files.get("production/ml-platform-sealed-secret.yaml");
        manifest[manifest.length / 2] ^= 0x01;

        VerificationResult result = verifyWithKey(files);

        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo("production/ml-platform-sealed-secret.yaml");
            assertThat(problem.message()).startsWith("checksum mismatch");
        });
    }

    @Test
    void reportsAMissingFile() throws IOException {
        Map<String, byte[]> files = unpack();
        files.remove("dev/kustomization.yaml");

        assertThat(verifyWithKey(files).problems())
                .containsExactly(new VerificationResult.Problem("dev/kustomization.yaml", "missing (listed in SHA256SUMS)"));
    }

    @Test
    void reportsAnExtraFile() throws IOException {
        Map<String, byte[]> files = unpack();
        files.put("dev/extra.yaml", "kind: ConfigMap\n".getBytes());

        assertThat(verifyWithKey(files).problems())
                .containsExactly(new VerificationResult.Problem("dev/extra.yaml", "extra file, not listed in SHA256SUMS"));
    }

    @Test
    void rejectsEditedChecksumsByTheirSignature() throws IOException {
        Map<String, byte[]> files = unpack();
        byte[] readme = "# forged\n".getBytes();
        files.put("README.md", readme);
        String sums = new String(files.get("SHA256SUMS")).replaceAll("[0-9a-f]{64}  README.md",
                Sha256Sums.hex(readme) + "  README.md");
        files.put("SHA256SUMS", sums.getBytes());

        VerificationResult result = verifyWithKey(files);

        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo("SHA256SUMS.sig");
            assertThat(problem.message()).contains("not a valid signature");
        });
        assertThat(PackageVerifier.checksumsOnly().verify(pack(files)).ok()).isTrue();
    }

    @Test
    void rejectsASignatureByAnotherKey(@TempDir Path otherKeys) throws IOException {
        PackageSigner other = PackageSigner.generate(otherKeys);

        VerificationResult result = PackageVerifier.withPublicKey(other.publicKey())
                .verify(new ByteArrayInputStream(archive));

        assertThat(result.problems()).extracting(VerificationResult.Problem::file).containsExactly("SHA256SUMS.sig");
    }

    @Test
    void reportsMissingChecksumsAndSignature() throws IOException {
        Map<String, byte[]> files = unpack();
        files.remove("SHA256SUMS.sig");
        assertThat(verifyWithKey(files).problems())
                .containsExactly(new VerificationResult.Problem("SHA256SUMS.sig", "missing"));

        files.remove("SHA256SUMS");
        assertThat(verifyWithKey(files).problems()).extracting(VerificationResult.Problem::file)
                .containsExactly("SHA256SUMS");
    }

    @Test
    void reportsSomethingThatIsNotATarGz() {
        VerificationResult result = PackageVerifier.checksumsOnly()
                .verify(new ByteArrayInputStream("not an archive".getBytes()));

        assertThat(result.ok()).isFalse();
        assertThat(result.problems()).extracting(VerificationResult.Problem::file).containsExactly("archive");
    }

    @Test
    void rejectsEntryNamesWithControlCharactersWithoutEchoingThem() throws IOException {
        Map<String, byte[]> files = unpack();
        files.put("dev/\u001b[2Jevil.yaml", new byte[] {1});

        VerificationResult result = verifyWithKey(files);

        assertThat(result.problems()).singleElement().satisfies(problem -> {
            assertThat(problem.file()).isEqualTo("archive");
            assertThat(problem.message()).contains("control characters").doesNotContain("\u001b");
        });
    }

    private static Map<String, byte[]> unpack() throws IOException {
        return new TreeMap<>(DeterministicTarGz.read(new ByteArrayInputStream(archive)));
    }

    private static ByteArrayInputStream pack(Map<String, byte[]> files) {
        return new ByteArrayInputStream(DeterministicTarGz.write(new TreeMap<>(files), SampleRotation.REQUESTED_AT));
    }

    private static VerificationResult verifyWithKey(Map<String, byte[]> files) {
        return PackageVerifier.withPublicKey(signer.publicKey()).verify(pack(files));
    }
}

package io.reseal.packager.archive;

import io.reseal.packager.signing.SigningPublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks a package the way its recipient would: every file listed in {@code SHA256SUMS} is present with
 * that SHA-256, no other file is present, and (given the signer's public key) {@code SHA256SUMS.sig} is
 * a valid Ed25519 signature of {@code SHA256SUMS}. Reads the archive in memory, bounded in size, and
 * never extracts anything. Reports every problem it finds, each naming its file. Immutable and
 * thread-safe.
 */
public final class PackageVerifier {

    private static final String ARCHIVE = "archive";

    private final SigningPublicKey publicKey;

    private PackageVerifier(SigningPublicKey publicKey) {
        this.publicKey = publicKey;
    }

    /** Checks checksums and the signature against {@code publicKey}. */
    public static PackageVerifier withPublicKey(SigningPublicKey publicKey) {
        return new PackageVerifier(publicKey);
    }

    /** Checks checksums only; the result says that the signature was not checked. */
    public static PackageVerifier checksumsOnly() {
        return new PackageVerifier(null);
    }

    /** Verifies the archive file; an unreadable file is an {@link IOException}, anything else a problem. */
    public VerificationResult verify(Path archive) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            return verify(in);
        }
    }

    /** Verifies the archive read from {@code archive} (not closed here). */
    public VerificationResult verify(InputStream archive) {
        Map<String, byte[]> files;
        try {
            files = DeterministicTarGz.read(archive);
        } catch (IOException e) {
            return result(List.of(), List.of(new VerificationResult.Problem(ARCHIVE,
                    "not a readable package tar.gz: " + e.getMessage())));
        }
        List<VerificationResult.Problem> problems = new ArrayList<>();
        byte[] sumsFile = files.get(Sha256Sums.FILE);
        if (sumsFile == null) {
            problems.add(new VerificationResult.Problem(Sha256Sums.FILE, "missing: nothing can be verified"));
            return result(files.keySet(), problems);
        }
        Map<String, String> sums;
        try {
            sums = Sha256Sums.parse(sumsFile);
        } catch (IllegalArgumentException e) {
            problems.add(new VerificationResult.Problem(Sha256Sums.FILE, "malformed: " + e.getMessage()));
            return result(files.keySet(), problems);
        }
        sums.forEach((path, expected) -> {
            byte[] content = files.get(path);
            if (content == null) {
                problems.add(new VerificationResult.Problem(path, "missing (listed in SHA256SUMS)"));
            } else if (!Sha256Sums.hex(content).equals(expected)) {
                problems.add(new VerificationResult.Problem(path, "checksum mismatch: SHA256SUMS says " + expected
                        + ", the file has " + Sha256Sums.hex(content)));
            }
        });
        for (String path : files.keySet()) {
            if (!sums.containsKey(path) && !path.equals(Sha256Sums.FILE) && !path.equals(Sha256Sums.SIGNATURE_FILE)) {
                problems.add(new VerificationResult.Problem(path, "extra file, not listed in SHA256SUMS"));
            }
        }
        if (publicKey != null) {
            byte[] signature = files.get(Sha256Sums.SIGNATURE_FILE);
            if (signature == null) {
                problems.add(new VerificationResult.Problem(Sha256Sums.SIGNATURE_FILE, "missing"));
            } else if (!publicKey.verifies(sumsFile, signature)) {
                problems.add(new VerificationResult.Problem(Sha256Sums.SIGNATURE_FILE,
                        "not a valid signature of SHA256SUMS by key " + publicKey.fingerprint()));
            }
        }
        return result(files.keySet(), problems);
    }

    private VerificationResult result(Iterable<String> files, List<VerificationResult.Problem> problems) {
        List<String> names = new ArrayList<>();
        files.forEach(names::add);
        return new VerificationResult(names, problems, publicKey != null,
                publicKey == null ? null : publicKey.fingerprint());
    }
}

package io.reseal.packager.archive;

import java.util.List;

/**
 * What {@link PackageVerifier} found. {@link #ok()} means every checksum matched, nothing was missing or
 * extra, and the signature verified if it was checked; {@link #signatureChecked()} is false when no
 * public key was given, and then nothing vouches for who made the package. Immutable.
 *
 * @param files              the regular files found in the archive, in archive order
 * @param problems           one entry per problem, naming the file; empty when all is well
 * @param signatureChecked   whether a public key was given to check {@code SHA256SUMS.sig} against
 * @param signerFingerprint  the fingerprint of that key, or {@code null} when none was given
 */
public record VerificationResult(
        List<String> files, List<Problem> problems, boolean signatureChecked, String signerFingerprint) {

    public VerificationResult {
        files = List.copyOf(files);
        problems = List.copyOf(problems);
    }

    /** One thing wrong with one file ({@code file} is {@code archive} for the archive as a whole). */
    public record Problem(String file, String message) {

        @Override
        public String toString() {
            return file + ": " + message;
        }
    }

    /** True if no problem was found; see {@link #signatureChecked()} for what that covers. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** A human-readable report, one line per finding, for the CLI. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        problems.forEach(problem -> out.append("FAILED ").append(problem).append('\n'));
        if (problems.isEmpty()) {
            out.append("OK     ").append(files.size()).append(" files, every checksum matches\n");
        }
        if (signatureChecked) {
            if (problems.stream().noneMatch(p -> p.file().equals("SHA256SUMS.sig"))) {
                out.append("OK     signature by key ").append(signerFingerprint).append('\n');
            }
        } else {
            out.append("NOTE   signature NOT checked (no public key given: use --pubkey FILE)\n");
        }
        return out.toString();
    }
}

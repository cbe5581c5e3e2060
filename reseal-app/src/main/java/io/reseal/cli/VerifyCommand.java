package io.reseal.cli;

import io.reseal.packager.archive.PackageVerifier;
import io.reseal.packager.archive.VerificationResult;
import io.reseal.packager.signing.SigningPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code reseal verify <archive> --pubkey <key>}: every checksum and the signature of a package. Without a public
 * key it refuses, unless {@code --no-signature} says that checksums alone are wanted. What it prints has every
 * control character replaced, so names inside a hostile archive cannot move the cursor or recolour the terminal.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a package's SHA256SUMS and its Ed25519 signature; exit 1 on any mismatch.")
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the package, e.g. financial-ml-ml-secrets-20261129.tar.gz") Path archive;
    @Option(names = "--pubkey", description = "the signer's public key (package-signing.pub.pem), required unless --no-signature")
    Path publicKey;
    @Option(names = "--no-signature", description = "check only the checksums (proves nothing about who made the package)")
    boolean noSignature;

    @Override
    public Integer call() throws Exception {
        if (publicKey == null && !noSignature) {
            throw new UserFacingException("give the signer's public key (--pubkey package-signing.pub.pem), or"
                    + " --no-signature to check only the checksums");
        }
        if (publicKey != null && noSignature) {
            throw new UserFacingException("--pubkey and --no-signature exclude each other");
        }
        if (!Files.isRegularFile(archive)) throw new UserFacingException(printable(archive.toString()) + ": no such file");
        PackageVerifier verifier = publicKey == null ? PackageVerifier.checksumsOnly()
                : PackageVerifier.withPublicKey(SigningPublicKey.read(publicKey));
        VerificationResult result = verifier.verify(archive);
        spec.commandLine().getOut().println(printable(result.describe()));
        return result.ok() ? 0 : 1;
    }

    /** {@code text} with every control character but the line break shown as {@code \\uXXXX}. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c != '\n' && (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }
}

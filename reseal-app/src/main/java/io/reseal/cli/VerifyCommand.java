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

/** {@code reseal verify <archive>}: every checksum and the signature of a package. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check a package's SHA256SUMS and its Ed25519 signature; exit 1 on any mismatch.")
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the package, e.g. financial-ml-ml-secrets-20261129.tar.gz") Path archive;
    @Option(names = "--pubkey", description = "the signer's public key (package-signing.pub.pem); without it only checksums are checked")
    Path publicKey;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(archive)) throw new UserFacingException(archive + ": no such file");
        PackageVerifier verifier = publicKey == null ? PackageVerifier.checksumsOnly()
                : PackageVerifier.withPublicKey(SigningPublicKey.read(publicKey));
        VerificationResult result = verifier.verify(archive);
        spec.commandLine().getOut().println(result.describe());
        return result.ok() ? 0 : 1;
    }
}

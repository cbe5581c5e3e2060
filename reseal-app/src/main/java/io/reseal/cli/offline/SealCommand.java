package io.reseal.cli.offline;

import io.reseal.cli.UserFacingException;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.crypto.SealingCertificate;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.offline.CertificateLoader;
import io.reseal.sealer.offline.OfflineSealer;
import io.reseal.sealer.secret.SecretValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reseal seal}: kubeseal without a cluster. Reads a Secret manifest (YAML or JSON, stdin or
 * {@code -f}) and prints the SealedSecret (JSON by default, as kubeseal); or, with {@code --raw}, seals one
 * value read from {@code --from-file} and prints its base64 ciphertext without a line break. Plaintext read
 * from files is wiped once sealed; failures are one line on stderr and a non-zero exit.
 */
@Command(name = "seal", mixinStandardHelpOptions = true,
        description = "Seal a Secret manifest (stdin or -f) into a SealedSecret, as kubeseal does, or one value with --raw.")
public final class SealCommand implements Callable<Integer> {

    @Option(names = "--cert", paramLabel = "FILE|URL", defaultValue = "${env:SEALED_SECRETS_CERT}",
            description = "the controller's certificate: a PEM file or an https URL such as .../v1/cert.pem "
                    + "(default: $SEALED_SECRETS_CERT); redirects are not followed")
    String cert;

    @Option(names = "--insecure", description = "allow a plain http:// --cert URL (anyone on the way can swap the certificate)")
    boolean insecure;

    @Option(names = "--scope", converter = ManifestInput.Scope.class, paramLabel = "strict|namespace-wide|cluster-wide",
            description = "override the scope; default: the Secret's sealedsecrets.bitnami.com/* annotations, else strict")
    SecretScope scope;

    @Option(names = {"-o", "--format"}, converter = ManifestInput.Format.class, defaultValue = "json",
            paramLabel = "yaml|json", description = "output format (default ${DEFAULT-VALUE}, as kubeseal)")
    OutputFormat format;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "the Secret manifest (default: stdin)")
    Path file;

    @Option(names = "--raw", description = "seal one value (--from-file) and print only its ciphertext")
    boolean raw;

    @Option(names = {"-n", "--namespace"}, description = "with --raw: the namespace the value is sealed for")
    String namespace;

    @Option(names = "--name", description = "with --raw: the Secret name the value is sealed for (strict scope)")
    String name;

    @Option(names = "--from-file", paramLabel = "FILE", description = "with --raw: the file holding the value")
    Path fromFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (cert == null || cert.isBlank()) {
            throw new UserFacingException("seal needs the controller's certificate: --cert FILE|URL (or SEALED_SECRETS_CERT)");
        }
        if (!raw && (fromFile != null || name != null || namespace != null)) {
            throw new UserFacingException("--namespace, --name and --from-file go with --raw; "
                    + "a manifest's namespace and name come from its metadata");
        }
        SealingCertificate certificate = new CertificateLoader().load(cert, insecure);
        OfflineSealer sealer = new OfflineSealer();
        PrintWriter out = spec.commandLine().getOut();
        if (raw) {
            out.print(sealRaw(sealer, certificate));
        } else {
            try (InputStream in = ManifestInput.open(file)) {
                out.print(sealer.seal(in, certificate, Optional.ofNullable(scope), format));
            } catch (IOException e) {
                throw new UserFacingException("cannot read the Secret manifest: " + e.getMessage());
            }
        }
        out.flush();
        return 0;
    }

    private String sealRaw(OfflineSealer sealer, SealingCertificate certificate) {
        if (fromFile == null) {
            throw new UserFacingException("--raw needs --from-file FILE with the value to seal");
        }
        byte[] plaintext;
        try {
            plaintext = Files.readAllBytes(fromFile);
        } catch (NoSuchFileException e) {
            throw new UserFacingException(fromFile + ": no such file");
        } catch (IOException e) {
            throw new UserFacingException(fromFile + ": cannot read: " + e.getMessage());
        }
        SecretValue value = SecretValue.of(plaintext);
        Arrays.fill(plaintext, (byte) 0);
        try {
            return sealer.sealRaw(value, namespace, name, scope == null ? SecretScope.STRICT : scope, certificate);
        } finally {
            value.destroy();
        }
    }
}

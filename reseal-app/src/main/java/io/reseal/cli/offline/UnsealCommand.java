package io.reseal.cli.offline;

import io.reseal.cli.UserFacingException;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.offline.OfflineUnsealer;
import io.reseal.sealer.offline.PrivateKeyLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reseal unseal}: the recovery path. Opens a SealedSecret (stdin or {@code -f}) with the
 * controller's private keys, each value with the first key that fits, and prints the Secret (JSON by
 * default). The output holds plaintext and goes to stdout only; failures are one line on stderr naming
 * each key that did not open, never a value.
 */
@Command(name = "unseal", mixinStandardHelpOptions = true,
        description = "Unseal a SealedSecret (stdin or -f) with the controller's private keys (recovery).")
public final class UnsealCommand implements Callable<Integer> {

    @Option(names = "--key", split = ",", required = true, paramLabel = "tls.key[,older.key]",
            description = "the controller's private keys: PEM files or key-Secret backups, tried in order")
    List<Path> keys;

    @Option(names = {"-o", "--format"}, converter = ManifestInput.Format.class, defaultValue = "json",
            paramLabel = "yaml|json", description = "output format (default ${DEFAULT-VALUE})")
    OutputFormat format;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "the SealedSecret manifest (default: stdin)")
    Path file;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        OfflineUnsealer unsealer = new OfflineUnsealer();
        PrintWriter out = spec.commandLine().getOut();
        try (InputStream in = ManifestInput.open(file)) {
            out.print(unsealer.unseal(in, PrivateKeyLoader.load(keys), format));
        } catch (IOException e) {
            throw new UserFacingException("cannot read the SealedSecret manifest: " + e.getMessage());
        }
        out.flush();
        return 0;
    }
}

package io.reseal.cli.bench;

import io.reseal.embedded.EmbeddedS3;
import io.reseal.packager.PackageBenchmark;
import io.reseal.packager.PackagerConfig;
import io.reseal.packager.signing.PackageSigner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code reseal bench package}: {@link PackageBenchmark} against an in-memory {@link EmbeddedS3} on a free port,
 * with a signing key generated into a temporary directory. Prints only {@code name=value} lines on stdout
 * ({@code package_ms_p50}, {@code package_ms_p99}). The server, its objects and the key are gone when the
 * command returns.
 */
@Command(name = "package", mixinStandardHelpOptions = true,
        description = "Time building, uploading and presigning a package on an embedded S3 server; "
                + "print package_ms_p50=<n> and package_ms_p99=<n>.")
final class BenchPackageCommand implements Callable<Integer> {

    private static final String BUCKET = "reseal-bench";

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", defaultValue = "50", paramLabel = "N",
            description = "timed runs, after a few untimed warm-up runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Override
    public Integer call() throws Exception {
        if (runs < 1) {
            throw new ParameterException(spec.commandLine(), "--runs must be at least 1, was " + runs);
        }
        Path keys = Files.createTempDirectory("reseal-bench-");
        try (EmbeddedS3 s3 = new EmbeddedS3("reseal-bench", "reseal-bench-secret")) {
            PackageSigner.generate(keys);
            s3.start();
            PackagerConfig config = new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(), s3.secretKey(),
                    BUCKET, true, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
            PackageBenchmark.run(config, runs, System.out);
            return 0;
        } finally {
            Files.deleteIfExists(keys.resolve(PackageSigner.PRIVATE_KEY_FILE));
            Files.deleteIfExists(keys.resolve(PackageSigner.PUBLIC_KEY_FILE));
            Files.delete(keys);
        }
    }
}

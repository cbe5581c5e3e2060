package io.reseal.packager;

import io.reseal.packager.archive.DeliveryArchive;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.pipeline.event.Trigger;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * {@code ./reseal bench package}: times build + upload + presign of a 2-environment, 2-secret package
 * against a real S3 endpoint and prints {@code package_ms_p50=<n>} and {@code package_ms_p99=<n>}. Each
 * run uses a new rotation id (workflow {@value #WORKFLOW}), so every run really uploads; the objects stay
 * in the bucket. The manifests are shaped like real SealedSecrets but hold random bytes, not sealed values.
 * Not thread-safe; not part of the service.
 */
public final class PackageBenchmark {

    static final String WORKFLOW = "reseal-bench";
    private static final int WARM_UP_RUNS = 3;

    private PackageBenchmark() {
    }

    /** Percentiles of one benchmark, in milliseconds. */
    public record Result(int runs, long p50Millis, long p99Millis) {
    }

    /**
     * Runs {@code runs} timed iterations (after {@value #WARM_UP_RUNS} untimed ones), prints the two result
     * lines to {@code out} and returns them.
     */
    public static Result run(PackagerConfig config, int runs, PrintStream out) throws Exception {
        if (runs < 1) {
            throw new IllegalArgumentException("runs: must be at least 1, was " + runs);
        }
        PackageBuilder builder = new PackageBuilder(PackageSigner.load(config.signingKey()));
        long[] millis = new long[runs];
        String prefix = Long.toString(System.currentTimeMillis(), 36);
        try (PackageStore store = new PackageStore(config, Clock.systemUTC())) {
            for (int i = -WARM_UP_RUNS; i < runs; i++) {
                RotationSealed sealed = sampleRotation(prefix + "-" + (i + WARM_UP_RUNS));
                long start = System.nanoTime();
                DeliveryArchive archive = builder.build(sealed);
                store.store(archive);
                store.presign(archive.objectKey());
                if (i >= 0) {
                    millis[i] = (System.nanoTime() - start) / 1_000_000;
                }
            }
        }
        Arrays.sort(millis);
        Result result = new Result(runs, percentile(millis, 50), percentile(millis, 99));
        out.println("package_ms_p50=" + result.p50Millis());
        out.println("package_ms_p99=" + result.p99Millis());
        return result;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, int percent) {
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    static RotationSealed sampleRotation(String rotationId) {
        Random random = new Random(42);
        List<RotationSealed.Environment> environments = new ArrayList<>();
        for (String environment : List.of("dev", "production")) {
            String namespace = environment.equals("production") ? WORKFLOW : WORKFLOW + "-" + environment;
            List<String> platformKeys = List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_TRACKING_URI",
                    "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD");
            environments.add(new RotationSealed.Environment(environment, namespace, environment + "-cluster",
                    "0".repeat(64), List.of(),
                    List.of(new RotationSealed.Secret("ml-platform", "Opaque", SecretScope.STRICT, platformKeys,
                                    manifest("ml-platform", namespace, "Opaque", platformKeys, random)),
                            new RotationSealed.Secret("ghcr", "kubernetes.io/dockerconfigjson", SecretScope.STRICT,
                                    List.of(".dockerconfigjson"), manifest("ghcr", namespace,
                                            "kubernetes.io/dockerconfigjson", List.of(".dockerconfigjson"), random)))));
        }
        return new RotationSealed(rotationId, WORKFLOW, "bench@example.com", Trigger.AD_HOC, "benchmark",
                Instant.parse("2026-01-01T00:00:00Z"), environments);
    }

    private static String manifest(String name, String namespace, String type, List<String> keys, Random random) {
        StringBuilder yaml = new StringBuilder("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n")
                .append("  name: ").append(name).append("\n  namespace: ").append(namespace)
                .append("\nspec:\n  encryptedData:\n");
        for (String key : keys) {
            byte[] ciphertextShaped = new byte[560];
            random.nextBytes(ciphertextShaped);
            yaml.append("    ").append(key).append(": ").append(Base64.getEncoder().encodeToString(ciphertextShaped))
                    .append('\n');
        }
        return yaml.append("  template:\n    metadata:\n      name: ").append(name).append("\n      namespace: ")
                .append(namespace).append("\n    type: ").append(type).append('\n').toString();
    }
}

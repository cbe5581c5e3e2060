package io.reseal.packager;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.embedded.EmbeddedS3;
import io.reseal.packager.signing.PackageSigner;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageBenchmarkIT {

    @Test
    void printsP50AndP99OfBuildUploadAndPresign(@TempDir Path keys) throws Exception {
        PackageSigner.generate(keys);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (EmbeddedS3 s3 = new EmbeddedS3("reseal-bench", "reseal-bench-secret")) {
            s3.start();
            PackagerConfig config = new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(),
                    s3.secretKey(), "bench", true, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE));

            PackageBenchmark.Result result = PackageBenchmark.run(config, 5, new PrintStream(printed, true,
                    StandardCharsets.UTF_8));

            assertThat(result.runs()).isEqualTo(5);
            assertThat(result.p99Millis()).isGreaterThanOrEqualTo(result.p50Millis());
        }
        assertThat(printed.toString(StandardCharsets.UTF_8).lines().toList())
                .hasSize(2)
                .satisfiesExactly(
                        line -> assertThat(line).matches("package_ms_p50=\\d+"),
                        line -> assertThat(line).matches("package_ms_p99=\\d+"));
    }

    @Test
    void percentileIsNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

        assertThat(PackageBenchmark.percentile(sorted, 50)).isEqualTo(5);
        assertThat(PackageBenchmark.percentile(sorted, 99)).isEqualTo(10);
        assertThat(PackageBenchmark.percentile(new long[] {7}, 99)).isEqualTo(7);
    }
}

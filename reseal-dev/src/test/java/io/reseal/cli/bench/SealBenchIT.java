package io.reseal.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reseal.cli.CommandRun;
import io.reseal.cli.DevCommand;
import io.reseal.sealer.crypto.SealingProvider;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The output contract of {@code reseal bench seal}, from a very short run (2048-bit key, fractions of a second). */
class SealBenchIT {

    @Test
    void printsOnlyNameValueLinesWithEveryFigure() throws Exception {
        // given
        assumeTrue(new ProcessBuilder("openssl", "version").start().waitFor() == 0, "openssl is on the PATH");

        // when
        CommandRun run = CommandRun.of(DevCommand.commandLine(), "bench", "seal", "--seconds", "0.1", "--openssl-seconds", "1", "--processes", "2",
                "--warm-up-seals", "100", "--bits", "2048");

        // then
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).allMatch(line -> line.matches("[a-z0-9_]+=([0-9]+(\\.[0-9]+)?|[a-z]+)"));
        assertThat(lines).containsOnlyOnce("sealing_provider=" + SealingProvider.preferred().name().toLowerCase(Locale.ROOT));
        assertThat(lines).extracting(line -> line.substring(0, line.indexOf('='))).contains(
                "seal_ops_per_sec", "seal_ops_per_sec_wall", "seal_ops_per_sec_all_cores", "openssl_rsa2048_public_ops_per_sec",
                "seal_vs_openssl_ratio", "process_per_value_ms", "in_process_per_value_ms");
        assertThat(lines).filteredOn(line -> line.startsWith("seal_ops_per_sec=")).singleElement()
                .satisfies(line -> assertThat(Long.parseLong(line.substring(line.indexOf('=') + 1))).isPositive());
    }
}

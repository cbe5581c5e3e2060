package io.reseal.cli.bench;

import picocli.CommandLine.Command;

/**
 * {@code reseal bench}: on-demand benchmarks (not part of the test suite). Each subcommand prints its results as
 * {@code name=value} lines on standard output, so that BENCHMARKS.md and scripts can quote them as they are.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on the embedded stack; results as name=value lines.",
        subcommands = {BenchE2eCommand.class, BenchFanoutCommand.class})
public final class BenchCommand {
}

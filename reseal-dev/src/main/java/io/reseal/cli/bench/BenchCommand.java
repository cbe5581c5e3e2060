package io.reseal.cli.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code reseal bench}: on-demand benchmarks, one subcommand each. Every benchmark prints only
 * machine-readable {@code name=value} lines on stdout (progress and warnings go to stderr), so runs can be
 * compared and recorded in {@code BENCHMARKS.md}. Not part of the test suite.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {SealBench.class, BenchPackageCommand.class, BenchE2eCommand.class, BenchFanoutCommand.class},
        description = "Benchmarks; each prints name=value lines on stdout.")
public final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a benchmark named: the list of them. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}

package io.reseal.cli;

import io.reseal.cli.bench.BenchCommand;
import io.reseal.cli.local.DemoCommand;
import io.reseal.cli.local.LocalCommand;
import picocli.CommandLine;

/**
 * The command of {@code reseal-dev.jar}: every command of {@link ResealCommand}, with its error handling, plus
 * {@code demo}, {@code local} and {@code bench}, which start embedded Kafka, S3 and SMTP servers. For a
 * developer's machine and the tests; never in the image ({@code ./reseal} picks this jar for those three).
 */
public final class DevCommand {

    private DevCommand() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** {@link ResealCommand#commandLine()} with the commands that need embedded servers. */
    public static CommandLine commandLine() {
        return ResealCommand.commandLine()
                .addSubcommand(new DemoCommand())
                .addSubcommand(new LocalCommand())
                .addSubcommand(new BenchCommand());
    }
}

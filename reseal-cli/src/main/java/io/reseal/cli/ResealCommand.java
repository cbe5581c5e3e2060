package io.reseal.cli;

import io.reseal.cli.bench.BenchCommand;
import io.reseal.cli.local.DemoCommand;
import io.reseal.cli.local.LocalCommand;
import io.reseal.cli.offline.SealCommand;
import io.reseal.cli.offline.UnsealCommand;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.producer.cli.RotateClient;
import io.reseal.sealer.crypto.SealingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code reseal}: every service, the embedded demo and local stack, offline tools and benchmarks, in one command. */
@Command(name = "reseal", mixinStandardHelpOptions = true, version = "reseal 0.1.0",
        description = "Event-driven credential rotation for Kubernetes platforms that use Sealed Secrets.",
        subcommands = {
                DemoCommand.class, LocalCommand.class, RotateCommand.class, StatusCommand.class, RotationsCommand.class,
                VerifyCommand.class, SealCommand.class, UnsealCommand.class, BenchCommand.class,
                ServiceCommand.Producer.class, ServiceCommand.Sealer.class,
                ServiceCommand.Packager.class, ServiceCommand.Notifier.class, ServiceCommand.Adoption.class,
                CommandLine.HelpCommand.class})
public final class ResealCommand {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line with Reseal's error handling: a bad configuration or argument, or an API that refuses
     * or does not answer (exit 2), and a failed
     * seal or unseal (bad certificate, key or manifest; exit 1) are one line on stderr, not a stack trace.
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new ResealCommand());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof InvalidConfigException || e instanceof UserFacingException) {
                cmd.getErr().println("reseal: " + e.getMessage());
                return 2;
            }
            if (e instanceof RotateClient.ApiException || e instanceof java.net.ConnectException) {
                // The API refused (its status, code and message) or did not answer (its URL): said in one line.
                cmd.getErr().println("reseal: " + e.getMessage());
                return 2;
            }
            if (e instanceof SealingException) {
                cmd.getErr().println("reseal: " + e.getMessage());
                return 1;
            }
            cmd.getErr().println("reseal: " + e);
            if (System.getenv("RESEAL_DEBUG") != null) {
                e.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(set RESEAL_DEBUG=1 for the stack trace)");
            }
            return 1;
        });
        return commandLine;
    }
}

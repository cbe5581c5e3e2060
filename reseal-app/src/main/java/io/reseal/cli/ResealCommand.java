package io.reseal.cli;

import io.reseal.cli.offline.SealCommand;
import io.reseal.cli.offline.UnsealCommand;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.producer.cli.RotateClient;
import io.reseal.sealer.crypto.SealingException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code reseal}, the command of the production jar ({@code reseal-app/target/reseal.jar}, the one the image
 * runs): the services, {@code rotate}, {@code status}, {@code rotations}, {@code finish}, {@code relink} and
 * {@code approve-key} against the API, and the offline {@code verify},
 * {@code seal} and {@code unseal}. The demo, the local stack and the benchmarks run on embedded servers and are
 * in {@code reseal-dev.jar} only.
 */
@Command(name = "reseal", mixinStandardHelpOptions = true, version = "reseal 0.1.0",
        description = "Event-driven credential rotation for Kubernetes platforms that use Sealed Secrets.",
        subcommands = {
                RotateCommand.class, StatusCommand.class, RotationsCommand.class, FinishCommand.class, RelinkCommand.class,
                ApproveKeyCommand.class,
                VerifyCommand.class,
                SealCommand.class, UnsealCommand.class,
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

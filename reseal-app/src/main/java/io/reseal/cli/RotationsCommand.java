package io.reseal.cli;

import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.cli.StatusTable;
import io.reseal.producer.status.RotationStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code reseal rotations [--workflow W] [--state S]}: the rotations the API knows, newest first. */
@Command(name = "rotations", mixinStandardHelpOptions = true, description = "List rotations.")
final class RotationsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--workflow", description = "only this workflow") String workflow;
    @Option(names = "--state", description = "only this state: requested, sealed, packaged, notified, failed, adopting, adopted or deadline") String state;
    @Option(names = {"-o", "--output"}, description = "text or json (default ${DEFAULT-VALUE})", defaultValue = "text") String output;
    @Mixin ApiOptions apiOptions;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new UserFacingException("-o must be text or json, not '" + output + "'");
        }
        List<RotationStatus> rotations = apiOptions.client(Duration.ofSeconds(1))
                .list(workflow, state);
        spec.commandLine().getOut().print(output.equals("json")
                ? rotations.stream().map(RotateClient::json).toList().toString() + "\n"
                : StatusTable.rotations(rotations));
        return 0;
    }
}

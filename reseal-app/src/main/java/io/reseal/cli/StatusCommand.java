package io.reseal.cli;

import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.status.RotationStatus;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reseal status <rotation-id>}: where a rotation is. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show where a rotation is.")
final class StatusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the rotation id that rotate printed") String rotationId;
    @Option(names = {"-o", "--output"}, description = "text or json (default ${DEFAULT-VALUE})", defaultValue = "text") String output;
    @Mixin ApiOptions apiOptions;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new UserFacingException("-o must be text or json, not '" + output + "'");
        }
        RotationStatus status = apiOptions.client(Duration.ofSeconds(1)).status(rotationId);
        spec.commandLine().getOut().println(output.equals("json") ? RotateClient.json(status) : RotateClient.render(status));
        return "failed".equals(status.stage()) ? 1 : 0;
    }
}

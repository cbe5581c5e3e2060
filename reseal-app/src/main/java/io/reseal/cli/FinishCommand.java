package io.reseal.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reseal finish <rotation-id>}: revoke the previous credentials of a rotation with issued credentials. */
@Command(name = "finish", mixinStandardHelpOptions = true,
        description = "Revoke the previous credentials of a rotation's issuers (the new ones stay valid).")
final class FinishCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the rotation id that rotate printed") String rotationId;
    @Mixin ApiOptions apiOptions;

    @Override
    public Integer call() throws Exception {
        apiOptions.client(Duration.ofSeconds(1)).finish(rotationId);
        spec.commandLine().getOut().println("finish of rotation " + rotationId + " requested; ./reseal status "
                + rotationId + " shows what was revoked when");
        return 0;
    }
}

package io.reseal.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reseal relink <rotation-id>}: mail a fresh download link of a packaged rotation whose link expired. */
@Command(name = "relink", mixinStandardHelpOptions = true,
        description = "Mail a fresh download link of a rotation's package (the same archive) to the recipients of its"
                + " first mail, e.g. when the link expired before it was used.")
final class RelinkCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the rotation id that rotate printed (or the mail names)") String rotationId;
    @Mixin ApiOptions apiOptions;

    @Override
    public Integer call() throws Exception {
        String relinkId = apiOptions.client(Duration.ofSeconds(1)).relink(rotationId);
        spec.commandLine().getOut().println("fresh link for rotation " + rotationId + " requested (" + relinkId
                + "); it is mailed to the recipients of the rotation's first mail");
        return 0;
    }
}

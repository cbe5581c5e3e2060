package io.reseal.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code reseal approve-key <cluster> <fingerprint>}: approve the changed certificate of a cluster's URL that the
 * sealer holds (announced on {@code reseal.key.changed} and in its log); the sealer then seals with it and runs the
 * key renewal. Needs a token for every workflow.
 */
@Command(name = "approve-key", mixinStandardHelpOptions = true,
        description = "Approve a cluster's changed sealing certificate that the sealer holds (then key renewal runs).")
final class ApproveKeyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the cluster, as in the sealer's configuration") String cluster;
    @Parameters(index = "1", description = "the held certificate's SHA-256 fingerprint (64 hex digits, or SHA256:<hex|base64>)")
    String fingerprint;
    @Mixin ApiOptions apiOptions;

    @Override
    public Integer call() throws Exception {
        String approved = apiOptions.client(Duration.ofSeconds(1)).approveKey(cluster, fingerprint);
        spec.commandLine().getOut().println("key " + approved + " of cluster " + cluster + " approved; the sealer uses it"
                + " from its next certificate refresh on and requests key-renewal rotations");
        return 0;
    }
}

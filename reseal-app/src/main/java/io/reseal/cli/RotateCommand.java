package io.reseal.cli;

import io.reseal.cli.config.ConfigLoader;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.status.RotationStatus;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code reseal rotate <workflow> <environments> <requestor>}: the seed script's arguments, as an ad-hoc rotation. */
@Command(name = "rotate", mixinStandardHelpOptions = true,
        description = "Request an ad-hoc rotation and print its id (through the API, or straight to Kafka).")
final class RotateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "workflow, e.g. financial-ml") String workflow;
    @Parameters(index = "1", description = "comma-separated environments, e.g. dev,production") String environments;
    @Parameters(index = "2", description = "who receives the package, e.g. financial-team@example.com") String requestor;
    @Option(names = "--bundles", split = ",", description = "only these bundles") List<String> bundles = List.of();
    @Option(names = "--reason", description = "why (shown in the package and the e-mail)") String reason;
    @Mixin ApiOptions apiOptions;
    @Option(names = "--kafka", description = "write the event straight to this Kafka bootstrap instead of calling the API "
            + "(security from the kafka section of $RESEAL_CONFIG, if set, and the KAFKA_* variables)") String kafka;
    @Option(names = "--wait", description = "follow the rotation until it is notified or failed") boolean waitForIt;
    @Option(names = "--timeout", description = "how long --wait waits (default ${DEFAULT-VALUE})", defaultValue = "PT5M") Duration timeout;

    @Override
    public Integer call() throws Exception {
        List<String> envs = Arrays.stream(environments.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (kafka != null) {
            if (waitForIt) throw new UserFacingException("--wait needs the API (it asks it for the status); drop --kafka");
            spec.commandLine().getOut().println(RotateClient.rotateViaKafka(kafkaConfig().withBootstrapServers(kafka), workflow, envs,
                    requestor, bundles, reason, java.time.Clock.systemUTC()));
            return 0;
        }
        RotateClient client = apiOptions.client(Duration.ofMillis(500));
        String rotationId = client.rotate(workflow, envs, requestor, bundles, reason);
        spec.commandLine().getOut().println(rotationId);
        if (!waitForIt) return 0;
        RotationStatus status = client.waitFor(rotationId, timeout);
        spec.commandLine().getOut().println(RotateClient.render(status));
        return "notified".equals(status.stage()) ? 0 : 1;
    }

    /** The kafka section of {@code $RESEAL_CONFIG} (defaults without it), with the {@code KAFKA_*} variables laid over. */
    private static KafkaConfig kafkaConfig() {
        String file = System.getenv(ServiceCommand.CONFIG_VARIABLE);
        if (file != null && !file.isBlank()) {
            return ConfigLoader.loadSections(Path.of(file), System::getenv, Set.of("kafka")).kafka();
        }
        return ConfigLoader.load(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), "the environment",
                System::getenv).kafka();
    }
}

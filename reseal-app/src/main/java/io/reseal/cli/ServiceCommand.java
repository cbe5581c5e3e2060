package io.reseal.cli;

import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.pipeline.ops.OpsServer;
import io.reseal.pipeline.service.RunningService;
import io.reseal.pipeline.service.ServiceRuntime;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code reseal producer|sealer|packager|notifier|adoption}: one service, as a container runs it. Reads
 * {@code RESEAL_CONFIG} (default {@code /etc/reseal/reseal.yaml}) and the connection variables, starts the
 * service as {@link ServiceAssembly} builds it and runs it in the {@link ServiceRuntime} until SIGTERM, then
 * stops after the record in hand. The workers and the adoption watcher also serve {@code /health/live},
 * {@code /health/ready} and {@code /metrics} on {@code RESEAL_OPS_PORT} (default 8081, see {@link OpsServer}); the
 * producer serves them on its API port. Exit codes: 0 after SIGTERM, 2 for a bad configuration, 3 when the service
 * stopped working.
 */
abstract class ServiceCommand implements Callable<Integer> {

    /** The variable naming the configuration file. */
    static final String CONFIG_VARIABLE = "RESEAL_CONFIG";
    static final String DEFAULT_CONFIG = "/etc/reseal/reseal.yaml";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceCommand.class);

    @Spec
    CommandSpec spec;

    /** The sections of {@code reseal.yaml} this service reads (see {@link ConfigLoader#loadSections}). */
    abstract Set<String> sections();

    abstract RunningService start(ResealConfig config, Function<String, String> environment, Clock clock);

    @Override
    public Integer call() throws Exception {
        String file = System.getenv().getOrDefault(CONFIG_VARIABLE, DEFAULT_CONFIG);
        LOG.info("starting {} with configuration {}", spec.name(), file);
        ResealConfig config = ConfigLoader.loadSections(Path.of(file), System::getenv, sections());
        return ServiceRuntime.runUntilStopped(spec.name(), start(config, System::getenv, Clock.systemUTC()));
    }

    /** A worker service with its {@link OpsServer} (see {@link ServiceRuntime#withOps}). */
    abstract static class WorkerCommand extends ServiceCommand {

        abstract ServiceAssembly.Worker worker();

        @Override
        final Set<String> sections() {
            return worker().sections();
        }

        @Override
        final RunningService start(ResealConfig config, Function<String, String> environment, Clock clock) {
            return ServiceRuntime.withOps(spec.name(), config.kafka(), environment,
                    metrics -> worker().start(config, environment, clock, metrics));
        }
    }

    @Command(name = "producer", mixinStandardHelpOptions = true, description = "Run the rotation-producer (API, scheduler).")
    static final class Producer extends ServiceCommand {
        @Override
        Set<String> sections() {
            return ServiceAssembly.PRODUCER_SECTIONS;
        }

        @Override
        RunningService start(ResealConfig config, Function<String, String> environment, Clock clock) {
            // Vert.x serves until closed; its readiness endpoint tells whether Kafka answers.
            return RunningService.of(ServiceAssembly.producer(config, environment, clock), () -> true);
        }
    }

    @Command(name = "sealer", mixinStandardHelpOptions = true, description = "Run the sealer-worker.")
    static final class Sealer extends WorkerCommand {
        @Override
        ServiceAssembly.Worker worker() {
            return ServiceAssembly.Worker.SEALER;
        }
    }

    @Command(name = "packager", mixinStandardHelpOptions = true, description = "Run the packager-worker.")
    static final class Packager extends WorkerCommand {
        @Override
        ServiceAssembly.Worker worker() {
            return ServiceAssembly.Worker.PACKAGER;
        }
    }

    @Command(name = "notifier", mixinStandardHelpOptions = true, description = "Run the notifier.")
    static final class Notifier extends WorkerCommand {
        @Override
        ServiceAssembly.Worker worker() {
            return ServiceAssembly.Worker.NOTIFIER;
        }
    }

    @Command(name = "adoption", mixinStandardHelpOptions = true,
            description = "Run the adoption watcher (which namespaces applied, unsealed and rolled out each rotation).")
    static final class Adoption extends ServiceCommand {
        @Override
        Set<String> sections() {
            return ServiceAssembly.ADOPTION_SECTIONS;
        }

        @Override
        RunningService start(ResealConfig config, Function<String, String> environment, Clock clock) {
            return ServiceRuntime.withOps(spec.name(), config.kafka(), environment,
                    metrics -> ServiceAssembly.adoption(config, clock, metrics));
        }
    }
}

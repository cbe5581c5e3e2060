package io.reseal.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reseal.adoption.AdoptionListener;
import io.reseal.adoption.AdoptionWatcher;
import io.reseal.adoption.DecryptionFailureMail;
import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.notifier.NotifierWorker;
import io.reseal.packager.PackagerWorker;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.ops.KafkaReadiness;
import io.reseal.pipeline.ops.OpsServer;
import io.reseal.producer.RotationProducer;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.kube.ClusterAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code reseal producer|sealer|packager|notifier|adoption}: one service, as a container runs it. Reads
 * {@code RESEAL_CONFIG} (default {@code /etc/reseal/reseal.yaml}) and the connection variables, runs until
 * SIGTERM, then stops after the record in hand. The workers (and the adoption watcher) also serve {@code /health/live},
 * {@code /health/ready} and {@code /metrics} on {@code RESEAL_OPS_PORT} (default 8081, see {@link OpsServer});
 * the producer serves them on its API port.
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

    abstract Worker start(ResealConfig config, Clock clock);

    @Override
    public Integer call() throws Exception {
        String file = System.getenv().getOrDefault(CONFIG_VARIABLE, DEFAULT_CONFIG);
        LOG.info("starting {} with configuration {}", spec.name(), file);
        ResealConfig config = ConfigLoader.loadSections(Path.of(file), System::getenv, sections());
        CountDownLatch stopped = new CountDownLatch(1);
        Worker service = start(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.service().close();
            } catch (Exception e) {
                System.err.println("reseal: stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "reseal-shutdown"));
        // A worker whose loop died (a fatal Kafka error) ends the process, so its supervisor restarts it.
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (!service.running().getAsBoolean()) {
                LOG.error("{} stopped working; exiting so that it can be restarted", spec.name());
                return 3;
            }
        }
        return 0;
    }

    /** A started service: how to stop it, and whether it still works (a worker: its stage thread runs). */
    record Worker(AutoCloseable service, BooleanSupplier running) {}

    /**
     * A worker service with its {@link OpsServer}: live while the stage thread runs, ready when Kafka answers too.
     */
    abstract static class WorkerCommand extends ServiceCommand {

        abstract Worker startWorker(ResealConfig config, Clock clock, MeterRegistry metrics);

        @Override
        final Worker start(ResealConfig config, Clock clock) {
            int port;
            try {
                port = OpsServer.port(System::getenv);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(e.getMessage());
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Worker worker = startWorker(config, clock, registry);
            KafkaReadiness kafka = new KafkaReadiness(config.kafka().bootstrapServers(),
                    "reseal-" + spec.name() + "-readiness");
            AutoCloseable stopWorker = () -> {
                try {
                    worker.service().close();
                } finally {
                    kafka.close();
                }
            };
            OpsServer ops;
            try {
                ops = OpsServer.start(port, registry, worker.running(), Map.of("kafka", kafka::isReachable));
            } catch (RuntimeException e) {
                try {
                    stopWorker.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            LOG.info("{}: /health and /metrics on port {}", spec.name(), ops.port());
            return new Worker(() -> {
                try {
                    stopWorker.close();
                } finally {
                    ops.close();
                }
            }, worker.running());
        }
    }

    @Command(name = "producer", mixinStandardHelpOptions = true, description = "Run the rotation-producer (API, scheduler).")
    static final class Producer extends ServiceCommand {
        @Override
        Set<String> sections() {
            return Set.of("kafka", "workflows", "api");
        }

        @Override
        Worker start(ResealConfig config, Clock clock) {
            String token = System.getenv("RESEAL_API_TOKEN");
            var api = token == null || token.isBlank() ? config.api() : config.api().withPlaintextToken("env", token);
            if (api.tokens().isEmpty()) {
                throw new InvalidConfigException("api.tokens: at least one token hash is required (or RESEAL_API_TOKEN)");
            }
            // Vert.x serves until closed; its readiness endpoint tells whether Kafka answers.
            return new Worker(RotationProducer.start(api, config.kafka(), config.workflows(), clock), () -> true);
        }
    }

    @Command(name = "sealer", mixinStandardHelpOptions = true, description = "Run the sealer-worker.")
    static final class Sealer extends WorkerCommand {
        @Override
        Set<String> sections() {
            return Set.of("kafka", "clusters", "bundles", "workflows");
        }

        @Override
        Worker startWorker(ResealConfig config, Clock clock, MeterRegistry metrics) {
            ClusterAccess clusters = new ClusterAccess(config.sealer().clusters());
            SealerWorker worker = SealerWorker.start(config.sealer(), config.kafka(), clusters, System::getenv, clock,
                    metrics);
            return new Worker(() -> {
                worker.close();
                clusters.close();
            }, worker::isRunning);
        }
    }

    @Command(name = "packager", mixinStandardHelpOptions = true, description = "Run the packager-worker.")
    static final class Packager extends WorkerCommand {
        @Override
        Set<String> sections() {
            return Set.of("kafka", "s3");
        }

        @Override
        Worker startWorker(ResealConfig config, Clock clock, MeterRegistry metrics) {
            PackagerWorker worker = PackagerWorker.start(config.packager(), config.kafka(), clock, metrics);
            return new Worker(worker, worker::isRunning);
        }
    }

    @Command(name = "notifier", mixinStandardHelpOptions = true, description = "Run the notifier.")
    static final class Notifier extends WorkerCommand {
        @Override
        Set<String> sections() {
            return Set.of("kafka", "smtp");
        }

        @Override
        Worker startWorker(ResealConfig config, Clock clock, MeterRegistry metrics) {
            NotifierWorker worker = NotifierWorker.start(config.notifier(), config.kafka(), clock, metrics);
            return new Worker(worker, worker::isRunning);
        }
    }

    @Command(name = "adoption", mixinStandardHelpOptions = true,
            description = "Run the adoption watcher (which namespaces applied, unsealed and rolled out a rotation).")
    static final class Adoption extends WorkerCommand {
        @Override
        Set<String> sections() {
            return Set.of("kafka", "clusters", "bundles", "workflows", "adoption", "smtp");
        }

        /** With an {@code smtp:} section, a decryption failure is mailed to the namespace and the requestor. */
        @Override
        Worker startWorker(ResealConfig config, Clock clock, MeterRegistry metrics) {
            ClusterAccess clusters = new ClusterAccess(config.sealer().clusters());
            io.vertx.core.Vertx vertx = config.smtp() == null ? null : io.vertx.core.Vertx.vertx();
            io.reseal.notifier.mail.Mailer mailer = vertx == null ? null
                    : new io.reseal.notifier.mail.Mailer(vertx, config.smtp());
            AdoptionWatcher watcher = AdoptionWatcher.start(config.adoption(), config.kafka(), clusters::client, clock,
                    java.time.Duration.ofSeconds(30),
                    mailer == null ? AdoptionListener.NONE : new DecryptionFailureMail(mailer), metrics);
            return new Worker(() -> {
                watcher.close();
                clusters.close();
                if (mailer != null) mailer.close();
                if (vertx != null) vertx.close();
            }, watcher::isRunning);
        }
    }
}

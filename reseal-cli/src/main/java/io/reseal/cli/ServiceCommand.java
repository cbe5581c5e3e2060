package io.reseal.cli;

import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.notifier.NotifierWorker;
import io.reseal.packager.PackagerWorker;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.stage.StageListener;
import io.reseal.producer.RotationProducer;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.kube.ClusterAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code reseal producer|sealer|packager|notifier}: one service, as a container runs it. Reads
 * {@code RESEAL_CONFIG} (default {@code /etc/reseal/reseal.yaml}) and the connection variables, runs until
 * SIGTERM, then stops after the record in hand.
 */
abstract class ServiceCommand implements Callable<Integer> {

    /** A started service: stopped by {@link #close()}, and able to say whether it still works. */
    interface Running extends AutoCloseable {
        boolean isRunning();
    }

    abstract Running start(ResealConfig config, Clock clock);

    @Override
    public Integer call() throws Exception {
        String file = System.getenv().getOrDefault("RESEAL_CONFIG", "/etc/reseal/reseal.yaml");
        ResealConfig config = ConfigLoader.load(Path.of(file), System::getenv);
        CountDownLatch stopped = new CountDownLatch(1);
        Running service = start(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("reseal: stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "reseal-shutdown"));
        // A worker whose loop died (a fatal Kafka error) ends the process, so its supervisor restarts it.
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (!service.isRunning()) {
                System.err.println("reseal: the service stopped working; exiting so it can be restarted");
                return 3;
            }
        }
        return 0;
    }

    @Command(name = "producer", mixinStandardHelpOptions = true, description = "Run the rotation-producer (API, scheduler).")
    static final class Producer extends ServiceCommand {
        @Override
        Running start(ResealConfig config, Clock clock) {
            String token = System.getenv("RESEAL_API_TOKEN");
            var api = token == null || token.isBlank() ? config.api() : config.api().withPlaintextToken("env", token);
            if (api.tokens().isEmpty()) {
                throw new InvalidConfigException("api.tokens: at least one token hash is required (or RESEAL_API_TOKEN)");
            }
            RotationProducer producer = RotationProducer.start(api, config.kafka(), config.workflows(), clock);
            return new Running() {
                @Override
                public boolean isRunning() {
                    return true; // Vert.x serves until closed; readiness tells whether Kafka answers
                }

                @Override
                public void close() {
                    producer.close();
                }
            };
        }
    }

    @Command(name = "sealer", mixinStandardHelpOptions = true, description = "Run the sealer-worker.")
    static final class Sealer extends ServiceCommand {
        @Override
        Running start(ResealConfig config, Clock clock) {
            ClusterAccess clusters = new ClusterAccess(config.sealer().clusters());
            SealerWorker worker = SealerWorker.start(config.sealer(), config.kafka(), clusters, System::getenv, clock,
                    StageListener.NONE);
            return new Running() {
                @Override
                public boolean isRunning() {
                    return worker.isRunning();
                }

                @Override
                public void close() {
                    worker.close();
                    clusters.close();
                }
            };
        }
    }

    @Command(name = "packager", mixinStandardHelpOptions = true, description = "Run the packager-worker.")
    static final class Packager extends ServiceCommand {
        @Override
        Running start(ResealConfig config, Clock clock) {
            PackagerWorker worker = PackagerWorker.start(config.packager(), config.kafka(), clock, StageListener.NONE);
            return new Running() {
                @Override
                public boolean isRunning() {
                    return worker.isRunning();
                }

                @Override
                public void close() {
                    worker.close();
                }
            };
        }
    }

    @Command(name = "notifier", mixinStandardHelpOptions = true, description = "Run the notifier.")
    static final class Notifier extends ServiceCommand {
        @Override
        Running start(ResealConfig config, Clock clock) {
            NotifierWorker worker = NotifierWorker.start(config.notifier(), config.kafka(), clock, StageListener.NONE);
            return new Running() {
                @Override
                public boolean isRunning() {
                    return worker.isRunning();
                }

                @Override
                public void close() {
                    worker.close();
                }
            };
        }
    }
}

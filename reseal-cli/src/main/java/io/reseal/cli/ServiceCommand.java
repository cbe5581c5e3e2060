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
import picocli.CommandLine.Command;

/**
 * {@code reseal producer|sealer|packager|notifier}: one service, as a container runs it. Reads
 * {@code RESEAL_CONFIG} (default {@code /etc/reseal/reseal.yaml}) and the connection variables, runs until
 * SIGTERM, then stops after the record in hand.
 */
abstract class ServiceCommand implements Callable<Integer> {

    abstract AutoCloseable start(ResealConfig config, Clock clock);

    @Override
    public Integer call() throws Exception {
        String file = System.getenv().getOrDefault("RESEAL_CONFIG", "/etc/reseal/reseal.yaml");
        ResealConfig config = ConfigLoader.load(Path.of(file), System::getenv);
        CountDownLatch stopped = new CountDownLatch(1);
        AutoCloseable service = start(config, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                service.close();
            } catch (Exception e) {
                System.err.println("reseal: stopping: " + e);
            } finally {
                stopped.countDown();
            }
        }, "reseal-shutdown"));
        stopped.await();
        return 0;
    }

    @Command(name = "producer", mixinStandardHelpOptions = true, description = "Run the rotation-producer (API, scheduler).")
    static final class Producer extends ServiceCommand {
        @Override
        AutoCloseable start(ResealConfig config, Clock clock) {
            String token = System.getenv("RESEAL_API_TOKEN");
            var api = token == null || token.isBlank() ? config.api() : config.api().withPlaintextToken("env", token);
            if (api.tokens().isEmpty()) {
                throw new InvalidConfigException("api.tokens: at least one token hash is required (or RESEAL_API_TOKEN)");
            }
            return RotationProducer.start(api, config.kafka(), config.workflows(), clock);
        }
    }

    @Command(name = "sealer", mixinStandardHelpOptions = true, description = "Run the sealer-worker.")
    static final class Sealer extends ServiceCommand {
        @Override
        AutoCloseable start(ResealConfig config, Clock clock) {
            ClusterAccess clusters = new ClusterAccess(config.sealer().clusters());
            SealerWorker worker = SealerWorker.start(config.sealer(), config.kafka(), clusters, System::getenv, clock,
                    StageListener.NONE);
            return () -> {
                worker.close();
                clusters.close();
            };
        }
    }

    @Command(name = "packager", mixinStandardHelpOptions = true, description = "Run the packager-worker.")
    static final class Packager extends ServiceCommand {
        @Override
        AutoCloseable start(ResealConfig config, Clock clock) {
            return PackagerWorker.start(config.packager(), config.kafka(), clock, StageListener.NONE);
        }
    }

    @Command(name = "notifier", mixinStandardHelpOptions = true, description = "Run the notifier.")
    static final class Notifier extends ServiceCommand {
        @Override
        AutoCloseable start(ResealConfig config, Clock clock) {
            return NotifierWorker.start(config.notifier(), config.kafka(), clock, StageListener.NONE);
        }
    }
}

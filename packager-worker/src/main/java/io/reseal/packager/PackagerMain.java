package io.reseal.packager;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.packager.delivery.GitDeliveries;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.service.RunningService;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The packager service from its typed configuration: the {@link PackagerWorker} with its S3 store, signing
 * key and the workflows' Git deliveries. Stopping it stops the worker after the record in hand. Stateless.
 */
public final class PackagerMain {

    private PackagerMain() {}

    /**
     * @param workflows whose {@code delivery.git} sections say where each rotation is committed, with the credentials
     *     read from {@code environment}; a Git server is retried for half of {@code kafka.retryDeadline}, so the stage
     *     still delivers the archive and the e-mail before it gives up
     */
    public static RunningService start(PackagerConfig config, List<WorkflowConfig> workflows, KafkaConfig kafka,
                                       Function<String, String> environment, Clock clock, MeterRegistry metrics) {
        GitDeliveries git = GitDeliveries.of(workflows, environment, clock, kafka.retryDeadline().dividedBy(2));
        PackagerWorker worker = PackagerWorker.start(config, git, kafka, clock, metrics);
        return RunningService.of(worker, worker::isRunning);
    }
}

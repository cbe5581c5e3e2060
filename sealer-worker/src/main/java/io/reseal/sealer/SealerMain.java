package io.reseal.sealer;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.service.RunningService;
import io.reseal.sealer.kube.ClusterAccess;
import java.time.Clock;
import java.util.function.Function;

/**
 * The sealer service from its typed configuration: builds the clusters' Kubernetes clients
 * ({@link ClusterAccess}) and starts the {@link SealerWorker} on them. Stopping it stops the worker, then
 * closes the clients. Stateless.
 */
public final class SealerMain {

    private SealerMain() {}

    /**
     * @param environment where {@code env:} value sources are looked up ({@code System::getenv} in a service)
     */
    public static RunningService start(SealerConfig config, KafkaConfig kafka, Function<String, String> environment,
                                       Clock clock, MeterRegistry metrics) {
        ClusterAccess clusters = new ClusterAccess(config.clusters());
        SealerWorker worker;
        try {
            worker = SealerWorker.start(config, kafka, clusters, environment, clock, metrics);
        } catch (RuntimeException e) {
            clusters.close();
            throw e;
        }
        return RunningService.of(() -> {
            try {
                worker.close();
            } finally {
                clusters.close();
            }
        }, worker::isRunning);
    }
}

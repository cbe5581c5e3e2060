package io.reseal.packager;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.service.RunningService;
import java.time.Clock;

/**
 * The packager service from its typed configuration: the {@link PackagerWorker} with its S3 store and signing
 * key. Stopping it stops the worker after the record in hand. Stateless.
 */
public final class PackagerMain {

    private PackagerMain() {}

    public static RunningService start(PackagerConfig config, KafkaConfig kafka, Clock clock, MeterRegistry metrics) {
        PackagerWorker worker = PackagerWorker.start(config, kafka, clock, metrics);
        return RunningService.of(worker, worker::isRunning);
    }
}

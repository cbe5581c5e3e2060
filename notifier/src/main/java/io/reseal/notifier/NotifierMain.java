package io.reseal.notifier;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.service.RunningService;
import java.time.Clock;

/**
 * The notifier service from its typed configuration: the {@link NotifierWorker} with its mail client.
 * Stopping it stops the worker, then the mail client. Stateless.
 */
public final class NotifierMain {

    private NotifierMain() {}

    public static RunningService start(NotifierConfig config, KafkaConfig kafka, Clock clock, MeterRegistry metrics) {
        NotifierWorker worker = NotifierWorker.start(config, kafka, clock, metrics);
        return RunningService.of(worker, worker::isRunning);
    }
}

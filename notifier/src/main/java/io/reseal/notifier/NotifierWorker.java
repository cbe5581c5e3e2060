package io.reseal.notifier;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.notifier.mail.Mailer;
import io.reseal.notifier.mail.RotationMailComposer;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.ops.StageMetrics;
import io.reseal.pipeline.stage.StageService;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The notifier service: the notifier stage in its consumer group, with its own Vert.x instance for the
 * mail client. Rotations already on the notified topic are skipped after a restart (the stage loop's
 * ledger). Counts into the given registry: the stage ({@link StageMetrics}) and the e-mails sent
 * ({@link NotifierStage}). {@link #close()} stops the stage, then closes the mailer and Vert.x.
 */
public final class NotifierWorker implements AutoCloseable {

    private final StageService service;
    private final Mailer mailer;
    private final Vertx vertx;

    private NotifierWorker(StageService service, Mailer mailer, Vertx vertx) {
        this.service = service;
        this.mailer = mailer;
        this.vertx = vertx;
    }

    public static NotifierWorker start(NotifierConfig config, KafkaConfig kafka, Clock clock, MeterRegistry metrics) {
        Vertx vertx = Vertx.vertx();
        Mailer mailer = new Mailer(vertx, config);
        NotifierStage stage = new NotifierStage(new RotationMailComposer(), mailer, new DeliveryProgress(), clock, metrics);
        return new NotifierWorker(StageService.start(kafka, stage, EventType.NOTIFIED, clock, new StageMetrics(metrics)), mailer, vertx);
    }

    public boolean isRunning() {
        return service.isRunning();
    }

    @Override
    public void close() {
        service.close();
        mailer.close();
        vertx.close().await();
    }
}

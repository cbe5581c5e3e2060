package io.reseal.notifier;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.notifier.mail.AdoptionMailComposer;
import io.reseal.notifier.mail.Mailer;
import io.reseal.notifier.mail.RotationMailComposer;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.ops.StageMetrics;
import io.reseal.pipeline.stage.StageService;
import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * The notifier service: the notifier stage in its consumer group, and the {@link RelinkNotifierStage} (fresh links)
 * in its own, with one Vert.x instance for the mail client. Rotations already on the notified topic are skipped after a restart (the stage loop's
 * ledger). Counts into the given registry: the stage ({@link StageMetrics}) and the e-mails sent
 * ({@link NotifierStage}). {@link #close()} stops the stage, then closes the mailer and Vert.x.
 */
public final class NotifierWorker implements AutoCloseable {

    private final StageService service;
    private final StageService relinks;
    private final Mailer mailer;
    private final Vertx vertx;

    private NotifierWorker(StageService service, StageService relinks, Mailer mailer, Vertx vertx) {
        this.service = service;
        this.relinks = relinks;
        this.mailer = mailer;
        this.vertx = vertx;
    }

    public static NotifierWorker start(NotifierConfig config, KafkaConfig kafka, Clock clock, MeterRegistry metrics) {
        Vertx vertx = Vertx.vertx();
        Mailer mailer = new Mailer(vertx, config);
        NotifierStage stage = new NotifierStage(new RotationMailComposer(), mailer, new DeliveryProgress(), clock, metrics);
        StageMetrics stageMetrics = new StageMetrics(metrics);
        StageService service = StageService.start(kafka, stage, EventType.NOTIFIED, clock, stageMetrics);
        RelinkNotifierStage relink = new RelinkNotifierStage(new AdoptionMailComposer(), mailer, new DeliveryProgress(), clock);
        return new NotifierWorker(service, StageService.start(kafka, relink, EventType.RELINK_NOTIFIED, clock, stageMetrics),
                mailer, vertx);
    }

    public boolean isRunning() {
        return service.isRunning() && relinks.isRunning();
    }

    @Override
    public void close() {
        relinks.close();
        service.close();
        mailer.close();
        vertx.close().await();
    }
}

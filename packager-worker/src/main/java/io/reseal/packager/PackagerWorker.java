package io.reseal.packager;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.delivery.GitDeliveries;
import io.reseal.packager.relink.PackagedRotations;
import io.reseal.packager.relink.RelinkStage;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.ops.StageMetrics;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.StageService;
import io.reseal.pipeline.stage.TopicScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

/**
 * The packager-worker service: the packager stage in its consumer group, and the {@link RelinkStage} (fresh links
 * to stored archives) in its own, both counting into the given registry ({@link StageMetrics}). {@link #close()}
 * stops them after the record in hand.
 */
public final class PackagerWorker implements AutoCloseable {

    private final StageService service;
    private final StageService relinks;

    private PackagerWorker(StageService service, StageService relinks) {
        this.service = service;
        this.relinks = relinks;
    }

    public static PackagerWorker start(PackagerConfig config, KafkaConfig kafka, Clock clock, MeterRegistry metrics) {
        return start(config, GitDeliveries.none(), kafka, clock, metrics);
    }

    /** A packager that also commits the rotations of the workflows in {@code git} to their repositories. */
    public static PackagerWorker start(PackagerConfig config, GitDeliveries git, KafkaConfig kafka, Clock clock,
                                       MeterRegistry metrics) {
        PackageSigner signer;
        try {
            signer = PackageSigner.load(config.signingKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the package signing key " + config.signingKey(), e);
        }
        PackageStore store = new PackageStore(config, clock);
        PackagerStage stage = new PackagerStage(new PackageBuilder(signer), store, git);
        StageMetrics stageMetrics = new StageMetrics(metrics);
        StageService service = StageService.start(kafka, stage, EventType.PACKAGED, clock, stageMetrics);
        TopicScanner.Tail packagedTopic = new TopicScanner(new KafkaClients(kafka)).tail(
                kafka.topicNames().of(EventType.PACKAGED));
        RelinkStage relink = new RelinkStage(new PackagedRotations(() -> packagedTopic.next(Duration.ofMinutes(2))), store);
        return new PackagerWorker(service, StageService.start(kafka, relink, EventType.RELINKED, clock, stageMetrics));
    }

    public boolean isRunning() {
        return service.isRunning() && relinks.isRunning();
    }

    @Override
    public void close() {
        relinks.close();
        service.close();
    }
}

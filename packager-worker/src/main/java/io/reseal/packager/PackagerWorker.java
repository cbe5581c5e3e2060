package io.reseal.packager;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.delivery.GitDeliveries;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.ops.StageMetrics;
import io.reseal.pipeline.stage.StageService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * The packager-worker service: the packager stage in its consumer group, counting into the given registry
 * ({@link StageMetrics}). {@link #close()} stops it after the record in hand.
 */
public final class PackagerWorker implements AutoCloseable {

    private final StageService service;

    private PackagerWorker(StageService service) {
        this.service = service;
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
        PackagerStage stage = new PackagerStage(new PackageBuilder(signer), new PackageStore(config, clock), git);
        return new PackagerWorker(StageService.start(kafka, stage, EventType.PACKAGED, clock, new StageMetrics(metrics)));
    }

    public boolean isRunning() {
        return service.isRunning();
    }

    @Override
    public void close() {
        service.close();
    }
}

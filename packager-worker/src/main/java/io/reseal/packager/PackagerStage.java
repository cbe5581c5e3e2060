package io.reseal.packager;

import io.reseal.packager.archive.DeliveryArchive;
import io.reseal.packager.archive.InvalidPackageInputException;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.delivery.GitDeliveries;
import io.reseal.packager.store.PackageStore;
import io.reseal.packager.store.PresignedLink;
import io.reseal.packager.store.StoredPackage;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.StageHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The {@code packager} stage: a {@code sealed} event in, the archive built, stored and presigned, one
 * {@code packaged} event out.
 *
 * <p>Idempotent: the archive is deterministic and stored under a stable key with its SHA-256, so a
 * redelivered event uploads nothing new and yields the same event (same id, time = the input event's
 * time, same object key, size and checksum); only the presigned URL and its expiry may differ. Bad input
 * (unsafe names, inconsistent manifests) is a {@link PermanentStageException} with code
 * {@code invalid-package-input}; S3 failures are classified by {@link PackageStore}. A workflow that delivers to Git
 * also gets its commit ({@link GitDeliveries}, idempotent by rotation id); a refused commit adds a {@code failed}
 * record beside the {@code packaged} event, so the archive and the e-mail still go out. Thread-safe (its builder,
 * store and Git deliveries are): the stage loop calls it for up to {@code kafka.concurrency.packager} rotations at
 * once.
 */
public final class PackagerStage implements StageHandler {

    public static final String SOURCE = "/reseal/packager-worker";

    private final PackageBuilder builder;
    private final PackageStore store;
    private final GitDeliveries git;

    /** A stage that builds with {@code builder} and stores with {@code store}; the caller closes the store. */
    public PackagerStage(PackageBuilder builder, PackageStore store) {
        this(builder, store, GitDeliveries.none());
    }

    /** A stage that also commits the rotations of the workflows in {@code git} to their repositories. */
    public PackagerStage(PackageBuilder builder, PackageStore store, GitDeliveries git) {
        this.builder = Objects.requireNonNull(builder, "builder");
        this.store = Objects.requireNonNull(store, "store");
        this.git = Objects.requireNonNull(git, "git");
    }

    @Override
    public String stage() {
        return "packager";
    }

    @Override
    public EventType consumes() {
        return EventType.SEALED;
    }

    @Override
    public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException {
        if (event.type() != EventType.SEALED) {
            throw new PermanentStageException(ErrorCode.UNEXPECTED_EVENT_TYPE,
                    "the packager consumes " + EventType.SEALED.ceType() + ", not " + event.type().ceType());
        }
        RotationSealed sealed = event.dataAs(RotationSealed.class);
        if (event.rotationId() != null && !event.rotationId().equals(sealed.rotationId())) {
            throw new PermanentStageException(ErrorCode.INVALID_PACKAGE_INPUT, "rotationid attribute '" + event.rotationId()
                    + "' differs from data.rotationId '" + sealed.rotationId() + "'");
        }
        DeliveryArchive archive;
        try {
            archive = builder.build(sealed);
        } catch (InvalidPackageInputException e) {
            throw new PermanentStageException(ErrorCode.INVALID_PACKAGE_INPUT, e.getMessage(), e);
        }
        StoredPackage stored = store.store(archive);
        PresignedLink link = store.presign(stored.objectKey());
        GitDeliveries.Outcome delivered = git.deliver(sealed, () -> builder.repositoryFiles(sealed));
        RotationPackaged packaged = new RotationPackaged(
                sealed.rotationId(), sealed.workflow(), sealed.requestor(), sealed.trigger(), sealed.reason(),
                sealed.requestedAt(), stored.bucket(), stored.objectKey(), archive.name(), stored.size(),
                stored.sha256(), link.url().toString(), link.expiresAt(), builder.signerFingerprint(), recipients(sealed),
                sealed.environments().stream().map(PackagerStage::packagedEnvironment).toList(), delivered.git());
        List<RotationEvent<?>> out = new ArrayList<>();
        out.add(RotationEvent.forRotation(
                sealed.rotationId(), EventType.PACKAGED, SOURCE, sealed.workflow(), event.time(), packaged));
        if (delivered.failure() != null) {
            out.add(RotationEvent.forRotation(sealed.rotationId(), EventType.FAILED, SOURCE, sealed.workflow(),
                    event.time(), new RotationFailed(stage(), delivered.failureCode(), delivered.failure(), null, null,
                            null, sealed.rotationId(), sealed.workflow())));
        }
        return out;
    }

    /** The requestor, then every environment's contacts; blanks dropped, duplicates (ignoring case) removed. */
    static List<String> recipients(RotationSealed sealed) {
        Map<String, String> byAddress = new LinkedHashMap<>();
        Stream.concat(Stream.of(sealed.requestor()),
                        sealed.environments().stream().flatMap(environment -> environment.contacts().stream()))
                .filter(address -> address != null && !address.isBlank())
                .map(String::strip)
                .forEach(address -> byAddress.putIfAbsent(address.toLowerCase(Locale.ROOT), address));
        return List.copyOf(byAddress.values());
    }

    private static RotationPackaged.Environment packagedEnvironment(RotationSealed.Environment environment) {
        return new RotationPackaged.Environment(environment.name(), environment.namespace(), environment.cluster(),
                environment.secrets().stream()
                        .map(secret -> new RotationPackaged.Secret(secret.name(), secret.type(), secret.keys()))
                        .toList());
    }
}

package io.reseal.packager.relink;

import io.reseal.packager.store.PackageStore;
import io.reseal.packager.store.PresignedLink;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRelinked;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.StageHandler;
import java.util.List;
import java.util.Objects;

/**
 * The {@code relinker} stage of the packager: a {@code relink-requested} event in, a fresh presigned link to the
 * rotation's archive (the configured expiry from now) out as one {@code relinked} event. Nothing is rebuilt or
 * uploaded: the archive must still be in the bucket with the SHA-256 its {@code packaged} event announced, else
 * the request fails with {@code archive-gone} (a rotation never packaged: {@code not-packaged}). Counts done by
 * relink request ({@link #doneKey}), so a rotation is relinked once per request, as often as asked. Called from one
 * thread at a time, as {@link StageHandler} specifies.
 */
public final class RelinkStage implements StageHandler {

    public static final String STAGE = RelinkData.RELINKER;
    static final String SOURCE = "/reseal/packager-worker";

    private final PackagedRotations packaged;
    private final PackageStore store;

    public RelinkStage(PackagedRotations packaged, PackageStore store) {
        this.packaged = Objects.requireNonNull(packaged, "packaged");
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public String stage() {
        return STAGE;
    }

    @Override
    public EventType consumes() {
        return EventType.RELINK_REQUESTED;
    }

    @Override
    public String doneKey(RotationEvent<?> event) {
        return RelinkData.of(event);
    }

    @Override
    public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException {
        RotationRelinkRequested request = event.dataAs(RotationRelinkRequested.class);
        RequestRules.FieldError invalid = RequestRules.check(request, event.rotationId()).orElse(null);
        if (invalid != null) {
            throw new PermanentStageException(ErrorCode.INVALID_REQUEST, "relink request: " + invalid.message());
        }
        RotationPackaged archive = packaged.find(request.rotationId()).orElseThrow(() -> new PermanentStageException(
                ErrorCode.NOT_PACKAGED, "rotation " + request.rotationId() + " was never packaged: there is no"
                + " archive to link to"));
        if (!store.holds(archive.objectKey(), archive.sha256())) {
            throw new PermanentStageException(ErrorCode.ARCHIVE_GONE, "the archive " + archive.archiveName()
                    + " of rotation " + request.rotationId() + " is no longer in bucket " + archive.bucket()
                    + " (deleted, expired by a lifecycle rule, or replaced): request a new rotation instead");
        }
        PresignedLink link = store.presign(archive.objectKey());
        return List.of(RelinkData.event(EventType.RELINKED, SOURCE, event.time(), new RotationRelinked(
                request.rotationId(), archive.workflow(), request.relinkId(), request.requestedBy(),
                archive.archiveName(), archive.size(), archive.sha256(), link.url().toString(), link.expiresAt(),
                archive.recipients())));
    }
}

package io.reseal.pipeline.event;

import java.util.Arrays;
import java.util.Optional;

/**
 * The event types of the contract (the five of the pipeline, finishing/finished of issued credentials, adoption
 * after delivery, the approval of a cluster's changed key, and the relink of an expired download link), each with its data class and the default topic it
 * travels on.
 */
public enum EventType {
    REQUESTED("io.reseal.rotation.requested.v1", "reseal.rotation.requested", RotationRequested.class),
    SEALED("io.reseal.rotation.sealed.v1", "reseal.rotation.sealed", RotationSealed.class),
    PACKAGED("io.reseal.rotation.packaged.v1", "reseal.rotation.packaged", RotationPackaged.class),
    NOTIFIED("io.reseal.rotation.notified.v1", "reseal.rotation.notified", RotationNotified.class),
    FAILED("io.reseal.rotation.failed.v1", "reseal.rotation.failed", RotationFailed.class),
    /** Asks the sealer to finish a rotation with issued credentials: revoke the previous ones. */
    FINISHING("io.reseal.rotation.finishing.v1", "reseal.rotation.finishing", RotationFinishing.class),
    /** The sealer revoked the previous credentials of a rotation. */
    FINISHED("io.reseal.rotation.finished.v1", "reseal.rotation.finished", RotationFinished.class),
    /** The sealer holds back an adopted rotation's finish: its previous credential is still in use. */
    FINISH_DEFERRED("io.reseal.rotation.finish-deferred.v1", "reseal.rotation.finished", RotationFinishDeferred.class),
    /** A namespace's adoption of a rotation moved on (after the pipeline: not a stage). */
    ADOPTED("io.reseal.rotation.adopted.v1", "reseal.rotation.adopted", RotationAdopted.class),
    /** Adoption of a rotation is over: all adopted, or the deadline passed; travels on the adopted topic. */
    ADOPTION_COMPLETE("io.reseal.rotation.adoption-complete.v1", "reseal.rotation.adopted", RotationAdoptionComplete.class),
    /** A namespace that had not applied a rotation was reminded by e-mail; travels on the adopted topic. */
    REMINDED("io.reseal.rotation.reminded.v1", "reseal.rotation.adopted", RotationReminded.class),
    /** The sealer took, or holds for approval, a certificate from a URL (about a cluster's key, not a rotation). */
    KEY_CHANGED("io.reseal.key.changed.v1", "reseal.key.changed", KeyChanged.class),
    /** An operator approved a held certificate (about a cluster's key, not a rotation). */
    KEY_APPROVED("io.reseal.key.approved.v1", "reseal.key.approved", KeyApproved.class),
    /** Someone asked for a fresh download link of a packaged rotation ({@code ./reseal relink}, the API). */
    RELINK_REQUESTED("io.reseal.rotation.relink-requested.v1", "reseal.rotation.relink-requested",
            RotationRelinkRequested.class),
    /** The packager presigned a fresh link to a rotation's archive, for one relink request. */
    RELINKED("io.reseal.rotation.relinked.v1", "reseal.rotation.relinked", RotationRelinked.class),
    /** The notifier mailed the fresh link of one relink request; travels on the notified topic. */
    RELINK_NOTIFIED("io.reseal.rotation.relink-notified.v1", "reseal.rotation.notified", RotationRelinkNotified.class);

    private final String ceType;
    private final String defaultTopic;
    private final Class<?> dataClass;

    EventType(String ceType, String defaultTopic, Class<?> dataClass) {
        this.ceType = ceType;
        this.defaultTopic = defaultTopic;
        this.dataClass = dataClass;
    }

    /** The CloudEvents {@code type} attribute. */
    public String ceType() {
        return ceType;
    }

    public String defaultTopic() {
        return defaultTopic;
    }

    public Class<?> dataClass() {
        return dataClass;
    }

    /** Short lower-case name: {@code requested}, {@code sealed}, ... (also the stage a rotation reached). */
    public String shortName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether this type reports adoption in the clusters rather than a pipeline stage. */
    public boolean isAdoption() {
        return this == ADOPTED || this == ADOPTION_COMPLETE || this == REMINDED;
    }

    /**
     * Whether this type is a stage a rotation reaches; adoption, a deferred finish and relinks are told beside the
     * stages and do not move a rotation's stage, and key events are about a cluster, not a rotation.
     */
    public boolean isStage() {
        return !isAdoption() && !isKey() && !isRelink() && this != FINISH_DEFERRED;
    }

    /**
     * Whether this type is part of a relink: a rotation may be relinked any number of times, each request once, so
     * these carry a {@code relinkId} that the stages count by (not the rotation).
     */
    public boolean isRelink() {
        return this == RELINK_REQUESTED || this == RELINKED || this == RELINK_NOTIFIED;
    }

    /**
     * Whether this type is about a cluster's sealing key rather than a rotation: no {@code rotationid}, the subject
     * (and record key) is the cluster.
     */
    public boolean isKey() {
        return this == KEY_CHANGED || this == KEY_APPROVED;
    }

    /**
     * The type whose topic this one travels on ({@code finish_deferred} on {@code finished}, {@code
     * adoption_complete} and {@code reminded} on {@code adopted}, {@code relink_notified} on {@code notified}), or
     * this type itself when it has a topic of its own. The readers of the carrier's topic read these too, so a
     * topic override names the carrier only.
     */
    public EventType carrier() {
        return switch (this) {
            case FINISH_DEFERRED -> FINISHED;
            case ADOPTION_COMPLETE, REMINDED -> ADOPTED;
            case RELINK_NOTIFIED -> NOTIFIED;
            default -> this;
        };
    }

    public static Optional<EventType> ofCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType.equals(ceType)).findFirst();
    }
}

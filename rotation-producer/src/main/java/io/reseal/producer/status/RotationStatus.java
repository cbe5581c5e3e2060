package io.reseal.producer.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationRelinkNotified;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRelinked;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where one rotation is: the body of {@code GET /api/v1/rotations/{id}}. Immutable.
 *
 * @param rotationId the rotation
 * @param workflow its workflow
 * @param stage the furthest stage reached: {@code requested}, {@code sealed}, {@code packaged},
 *     {@code notified}, and for issued credentials {@code finishing}, {@code finished}; {@code failed} as soon as
 *     any stage gave up
 * @param trigger {@code scheduled}, {@code ad-hoc} or {@code key-renewal}, once the request was seen
 * @param batchId the platform-wide batch it belongs to, if any
 * @param stages when each reached stage was reached, in pipeline order
 * @param link the download link and its expiry, once packaged
 * @param git where the rotation is in the workflow's Git repository (or why not), once packaged, if it delivers to Git
 * @param error why it failed, once failed
 * @param issuers for a rotation with issued credentials: each issuer's phase and versions, and what finish revoked when
 * @param adoption where each namespace stands in the clusters, once the adoption watcher reported
 * @param relink the last fresh link asked for ({@code ./reseal relink}), once one was
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RotationStatus(
        String rotationId,
        String workflow,
        String stage,
        String trigger,
        String batchId,
        Map<String, Instant> stages,
        @JsonProperty("package") PackageLink link,
        Failure error,
        RotationPackaged.GitDelivery git,
        List<IssuerPhase> issuers,
        Adoption adoption,
        Relink relink) {

    public RotationStatus {
        issuers = issuers == null || issuers.isEmpty() ? null : List.copyOf(issuers);
        stages = stages == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(stages));
    }

    /** Whether the rotation is over: delivered or failed. */
    public boolean finished() {
        return "notified".equals(stage) || "failed".equals(stage);
    }

    /** The status after {@code event} of this rotation, reached at {@code reachedAt}; the first time seen for a stage is kept. */
    RotationStatus with(RotationEvent<?> event, Instant reachedAt) {
        Map<EventType, Instant> reached = new EnumMap<>(EventType.class);
        stages.forEach((name, at) -> reached.put(EventType.valueOf(name.toUpperCase(java.util.Locale.ROOT)), at));
        reached.putIfAbsent(event.type(), reachedAt);
        String newTrigger = trigger;
        String newBatch = batchId;
        PackageLink newLink = link;
        Failure newError = error;
        RotationPackaged.GitDelivery newGit = git;
        List<IssuerPhase> newIssuers = issuers;
        if (event.data() instanceof RotationRequested requested) {
            newTrigger = requested.trigger().wireName();
            newBatch = requested.batchId();
        } else if (event.data() instanceof RotationPackaged packaged) {
            newLink = new PackageLink(packaged.downloadUrl(), packaged.expiresAt(), packaged.sha256());
            newGit = packaged.git();
        } else if (event.data() instanceof RotationSealed sealed && !sealed.issuers().isEmpty()) {
            newIssuers = IssuerPhase.sealed(sealed.issuers(), issuers);
        } else if (event.data() instanceof RotationFinished finished) {
            newIssuers = IssuerPhase.finished(finished, issuers);
        } else if (event.data() instanceof RotationFailed failed && newError == null) {
            newError = new Failure(failed.stage(), failed.errorCode(), failed.message());
        }
        Map<String, Instant> ordered = new LinkedHashMap<>();
        reached.forEach((type, at) -> ordered.put(type.shortName(), at));
        EventType furthest = reached.containsKey(EventType.FAILED)
                ? EventType.FAILED
                : reached.keySet().stream().reduce((a, b) -> b).orElseThrow();
        String newWorkflow = workflow != null ? workflow : event.subject();
        return new RotationStatus(rotationId, newWorkflow, furthest.shortName(), newTrigger, newBatch, ordered,
                newLink, newError, newGit, newIssuers, adoption, relink);
    }

    /**
     * The status after an event told beside the stages (adoption, a deferred finish, a relink and its failure) of
     * this rotation: the stage stays what the pipeline made it.
     */
    RotationStatus withAside(RotationEvent<?> event) {
        Adoption known = adoption == null ? Adoption.NONE : adoption;
        Adoption next = event.data() instanceof RotationAdopted adopted ? known.with(adopted)
                : event.data() instanceof RotationAdoptionComplete done ? known.with(done) : known;
        List<IssuerPhase> newIssuers = event.data() instanceof RotationFinishDeferred held
                ? IssuerPhase.deferred(held, issuers) : issuers;
        return new RotationStatus(rotationId, workflow != null ? workflow : event.subject(), stage, trigger, batchId,
                stages, link, error, git, newIssuers, next, Relink.after(relink, event));
    }

    static RotationStatus empty(String rotationId) {
        return new RotationStatus(rotationId, null, null, null, null, Map.of(), null, null, null, null, null, null);
    }

    /**
     * The last relink of the rotation: {@code requested}, {@code relinked} (a fresh link until {@code expiresAt}),
     * {@code mailed}, or {@code failed} (with {@code error}, e.g. {@code archive-gone}). The events of one relink come
     * on three topics, in any order: its state only moves forward; another relink replaces it when asked later.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Relink(String relinkId, String state, Instant since, Instant expiresAt, String error) {

        private static final List<String> ORDER = List.of("requested", "relinked", "mailed", "failed");

        static Relink after(Relink known, RotationEvent<?> event) {
            Instant at = event.time().toInstant();
            Relink seen;
            if (event.data() instanceof RotationRelinkRequested requested) {
                seen = new Relink(requested.relinkId(), "requested", at, null, null);
            } else if (event.data() instanceof RotationRelinked relinked) {
                seen = new Relink(relinked.relinkId(), "relinked", at, relinked.expiresAt(), null);
            } else if (event.data() instanceof RotationRelinkNotified mailed) {
                seen = new Relink(mailed.relinkId(), "mailed", at, mailed.expiresAt(), null);
            } else if (event.data() instanceof RotationFailed failed && RelinkData.isRelinkStage(failed.stage())) {
                String relinkId = event.id().endsWith("." + EventType.FAILED.shortName()) && event.id().contains(".relink.")
                        ? event.id().substring(0, event.id().length() - EventType.FAILED.shortName().length() - 1)
                        : known == null ? null : known.relinkId();
                seen = new Relink(relinkId, "failed", at, null, failed.errorCode());
            } else {
                return known;
            }
            if (known == null) return seen;
            if (!java.util.Objects.equals(known.relinkId(), seen.relinkId())) {
                return seen.since().isBefore(known.since()) ? known : seen;
            }
            if (ORDER.indexOf(seen.state()) < ORDER.indexOf(known.state())) return known;
            return new Relink(known.relinkId(), seen.state(), known.since(),
                    seen.expiresAt() != null ? seen.expiresAt() : known.expiresAt(), seen.error());
        }
    }

    /** The delivery archive's presigned link. */
    public record PackageLink(String downloadUrl, Instant expiresAt, String sha256) {}

    /**
     * One issuer of the rotation: {@code tested} once the sealer made and tested the pending credential (the
     * previous one, {@code current}, stays valid), {@code finished} once finish revoked {@code revoked} at
     * {@code revokedAt}. Identifiers only.
     *
     * @param note why finish waits ({@code previous login ... still in use by N connections; revocation at ...}), or
     *     why it came ({@code every namespace adopted}, {@code at the deadline; still on the previous credential: ...})
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IssuerPhase(String issuer, String strategy, String phase, String current, String pending,
                              String revoked, Instant revokedAt, String note) {

        static List<IssuerPhase> sealed(List<IssuedVersions> versions, List<IssuerPhase> known) {
            if (known != null) return known; // finished or deferred already seen (events may arrive out of order across topics)
            return versions.stream().map(v -> new IssuerPhase(v.issuer(), v.strategy(), "tested", v.current(), v.pending(),
                    null, null, null)).toList();
        }

        static List<IssuerPhase> finished(RotationFinished finished, List<IssuerPhase> known) {
            String note = RotationFinishing.ADOPTION.equals(finished.requestedBy()) ? "every namespace adopted the rotation"
                    : RotationFinishing.DEADLINE.equals(finished.requestedBy()) ? "at the revokePrevious deadline"
                            + (finished.behind().isEmpty() ? "" : "; still on the previous credential: "
                            + finished.behind().stream().map(l -> l.namespace() + " on " + l.cluster() + " ("
                                    + (l.state() == null ? "nothing seen" : l.state().wireName()) + ")")
                                    .collect(Collectors.joining(", ")))
                    : null;
            return finished.issuers().stream().map(r -> {
                IssuerPhase before = known == null ? null
                        : known.stream().filter(k -> k.issuer().equals(r.issuer())).findFirst().orElse(null);
                return new IssuerPhase(r.issuer(), before == null ? null : before.strategy(), "finished", r.current(),
                        null, r.revoked(), r.revokedAt(), note);
            }).toList();
        }

        static List<IssuerPhase> deferred(RotationFinishDeferred held, List<IssuerPhase> known) {
            if (known == null) {
                return List.of(new IssuerPhase(held.issuer(), null, "tested", held.previous(), null, null, null, held.describe()));
            }
            return known.stream().map(k -> k.issuer().equals(held.issuer()) && k.phase().equals("tested")
                    ? new IssuerPhase(k.issuer(), k.strategy(), k.phase(), k.current(), k.pending(), null, null, held.describe())
                    : k).toList();
        }
    }

    /** Which stage gave up and why (the message never holds a credential). */
    public record Failure(String stage, String code, String message) {}
}

package io.reseal.adoption;

import io.reseal.adoption.AdoptionTarget.NamespaceRef;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationAdoptionComplete.Laggard;
import io.reseal.pipeline.event.RotationAdoptionComplete.Outcome;
import io.reseal.pipeline.event.RotationReminded;
import io.reseal.pipeline.event.RotationSealed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What is known about every rotation's adoption: its targets (from the sealed events), when it was delivered, and
 * which state changes have been published (from the adopted topic). It never publishes: it says which changes
 * are due ({@link #changes}, {@link #deliveredChanges}, {@link #reminders}, {@link #completion}), and takes a change
 * into account only once it is on the topic ({@link #accept}). So a change that could not be published is offered
 * again, and one that was published, also before a restart, is never offered twice: each rotation, namespace and
 * state once, each namespace's reminder once, each rotation's completion once.
 *
 * <p>Thread-safe (every method is synchronized).
 */
public final class AdoptionTracker {

    private final AdoptionState target;
    private final Duration deadline;
    private final Map<String, Rotation> rotations = new LinkedHashMap<>();

    public AdoptionTracker(AdoptionState target, Duration deadline) {
        this.target = target;
        this.deadline = deadline;
    }

    /** Learns a rotation's targets from its sealed event (again after a restart: idempotent). */
    public synchronized void sealed(RotationSealed sealed, Instant at) {
        Rotation rotation = rotation(sealed.rotationId());
        rotation.workflow = sealed.workflow();
        rotation.sealedAt = rotation.sealedAt == null ? at : rotation.sealedAt;
        for (RotationSealed.Environment env : sealed.environments()) {
            AdoptionTarget t = new AdoptionTarget(sealed.rotationId(), sealed.workflow(), env.name(), env.namespace(),
                    env.cluster(), env.secrets().stream().map(RotationSealed.Secret::name).toList(), env.contacts(),
                    sealed.requestor());
            rotation.targets.putIfAbsent(t.ref(), t);
        }
    }

    /** Notes when the rotation's package was delivered (its e-mail sent); the deadline counts from then. */
    public synchronized void delivered(String rotationId, Instant at) {
        Rotation rotation = rotation(rotationId);
        rotation.deliveredAt = rotation.deliveredAt == null ? at : rotation.deliveredAt;
    }

    /** The {@code delivered} changes due for a delivered rotation whose targets are known. */
    public synchronized List<RotationAdopted> deliveredChanges(String rotationId) {
        Rotation rotation = rotations.get(rotationId);
        if (rotation == null || rotation.deliveredAt == null || rotation.complete != null) {
            return List.of();
        }
        List<RotationAdopted> due = new ArrayList<>();
        rotation.targets.values().forEach(t -> {
            if (!rotation.reached(t.ref()).containsKey(AdoptionState.DELIVERED)) {
                due.add(change(t, AdoptionState.DELIVERED, rotation.deliveredAt, null));
            }
        });
        return due;
    }

    /** Notes when the rotation's download link expires (the latest link, if it was renewed). */
    public synchronized void linked(String rotationId, Instant expiresAt) {
        Rotation rotation = rotation(rotationId);
        if (expiresAt != null && (rotation.linkExpiresAt == null || expiresAt.isAfter(rotation.linkExpiresAt))) {
            rotation.linkExpiresAt = expiresAt;
        }
    }

    /**
     * The reminders due at {@code now}: for each delivered rotation still being adopted, once {@code remindBefore}
     * is left before its deadline or its link's expiry (whichever comes first), one per namespace that has not
     * applied it (nothing seen, or only {@code delivered}), was not reminded yet and is not {@link #superseded}.
     * None when {@code remindBefore} is zero.
     */
    public synchronized List<RotationReminded> reminders(Instant now, Duration remindBefore) {
        List<RotationReminded> due = new ArrayList<>();
        if (remindBefore.isZero()) {
            return due;
        }
        for (Map.Entry<String, Rotation> entry : rotations.entrySet()) {
            Rotation rotation = entry.getValue();
            if (rotation.complete != null || rotation.deliveredAt == null) continue;
            Instant deadlineAt = rotation.deliveredAt.plus(deadline);
            boolean linkFirst = rotation.linkExpiresAt != null && rotation.linkExpiresAt.isBefore(deadlineAt);
            Instant at = linkFirst ? rotation.linkExpiresAt : deadlineAt;
            if (now.isBefore(at.minus(remindBefore))) continue;
            for (AdoptionTarget t : rotation.targets.values()) {
                AdoptionState current = rotation.current(t.ref());
                if (rotation.reminded.contains(t.ref()) || (current != null && current != AdoptionState.DELIVERED)
                        || superseded(rotation, t)) continue;
                List<String> recipients = new ArrayList<>(t.contacts());
                if (t.requestor() != null) recipients.add(t.requestor());
                due.add(new RotationReminded(t.rotationId(), t.workflow(), t.environment(), t.namespace(), t.cluster(),
                        linkFirst ? RotationReminded.LINK_EXPIRY : RotationReminded.DEADLINE, at, recipients));
            }
        }
        return due;
    }

    /** Takes a published reminder into account (also one read back at start-up): that namespace is not reminded again. */
    public synchronized void accept(RotationReminded reminder) {
        rotation(reminder.rotationId()).reminded.add(new NamespaceRef(reminder.cluster(), reminder.namespace()));
    }

    /** The target a reminder is about, once its rotation's sealed event was read. */
    public synchronized Optional<AdoptionTarget> target(RotationReminded reminder) {
        Rotation rotation = rotations.get(reminder.rotationId());
        return rotation == null ? Optional.empty()
                : Optional.ofNullable(rotation.targets.get(new NamespaceRef(reminder.cluster(), reminder.namespace())));
    }

    /** Takes a published change into account (also one read back from the topic at start-up). */
    public synchronized void accept(RotationAdopted adopted) {
        Rotation rotation = rotation(adopted.rotationId());
        rotation.workflow = rotation.workflow == null ? adopted.workflow() : rotation.workflow;
        rotation.reached(new NamespaceRef(adopted.cluster(), adopted.namespace()))
                .putIfAbsent(adopted.state(), adopted);
    }

    /** Takes a published completion into account: nothing more is offered for that rotation. */
    public synchronized void accept(RotationAdoptionComplete complete) {
        Rotation rotation = rotation(complete.rotationId());
        rotation.complete = rotation.complete == null ? complete : rotation.complete;
    }

    /** Every target of a rotation still being adopted. */
    public synchronized List<AdoptionTarget> openTargets() {
        return rotations.values().stream()
                .filter(r -> r.complete == null)
                .flatMap(r -> r.targets.values().stream())
                .toList();
    }

    /** The open targets in one namespace. */
    public synchronized List<AdoptionTarget> openTargets(NamespaceRef ref) {
        return openTargets().stream().filter(t -> t.ref().equals(ref)).toList();
    }

    /** The namespaces with an open target. */
    public synchronized Set<NamespaceRef> watchedNamespaces() {
        return openTargets().stream().map(AdoptionTarget::ref).collect(Collectors.toSet());
    }

    /** The target a change is about, once its rotation's sealed event was read. */
    public synchronized Optional<AdoptionTarget> target(RotationAdopted change) {
        Rotation rotation = rotations.get(change.rotationId());
        return rotation == null ? Optional.empty()
                : Optional.ofNullable(rotation.targets.get(new NamespaceRef(change.cluster(), change.namespace())));
    }

    /** When {@code target} reached {@code state}, if it was published. */
    public synchronized Optional<Instant> since(AdoptionTarget t, AdoptionState state) {
        Rotation rotation = rotations.get(t.rotationId());
        return rotation == null ? Optional.empty()
                : Optional.ofNullable(rotation.reached(t.ref()).get(state)).map(RotationAdopted::since);
    }

    /**
     * The changes {@code observation} of {@code t} calls for: a forward state brings every state up to it not yet
     * published (a watcher that was away sees the furthest only), {@code decryption-failed} itself once.
     */
    public synchronized List<RotationAdopted> changes(AdoptionTarget t, Observation observation) {
        Rotation rotation = rotations.get(t.rotationId());
        if (rotation == null || rotation.complete != null || observation.state() == null) {
            return List.of();
        }
        Map<AdoptionState, RotationAdopted> reached = rotation.reached(t.ref());
        List<RotationAdopted> due = new ArrayList<>();
        if (observation.state() == AdoptionState.DECRYPTION_FAILED) {
            if (!reached.containsKey(AdoptionState.DECRYPTION_FAILED)) {
                due.add(change(t, AdoptionState.DECRYPTION_FAILED, observation.since(), observation.message()));
            }
            return due;
        }
        for (AdoptionState state : List.of(AdoptionState.APPLIED, AdoptionState.UNSEALED, AdoptionState.ROLLED_OUT)) {
            if (observation.state().reached(state) && !reached.containsKey(state)) {
                due.add(change(t, state, observation.since(),
                        state == observation.state() ? observation.message() : null));
            }
        }
        return due;
    }

    /**
     * The completion due for {@code rotationId} at {@code now}: {@code adopted} when every target reached the
     * configured state, {@code deadline} with the laggards once the deadline after delivery passed: the namespaces
     * that have not reached it, except those {@link #superseded} by a newer rotation (they are not behind, but they
     * did not adopt this one either: such a rotation ends at its deadline, maybe with no laggard).
     */
    public synchronized Optional<RotationAdoptionComplete> completion(String rotationId, Instant now) {
        Rotation rotation = rotations.get(rotationId);
        if (rotation == null || rotation.complete != null || rotation.targets.isEmpty()) {
            return Optional.empty();
        }
        List<Laggard> laggards = new ArrayList<>();
        boolean everyReached = true;
        Instant last = null;
        for (AdoptionTarget t : rotation.targets.values()) {
            RotationAdopted reached = rotation.reached(t.ref()).get(target);
            if (reached == null) {
                everyReached = false;
                if (!superseded(rotation, t)) {
                    laggards.add(new Laggard(t.environment(), t.namespace(), t.cluster(), rotation.current(t.ref())));
                }
            } else if (last == null || reached.since().isAfter(last)) {
                last = reached.since();
            }
        }
        if (everyReached) {
            return Optional.of(new RotationAdoptionComplete(rotationId, rotation.workflow, target, Outcome.ADOPTED,
                    last, List.of()));
        }
        Instant start = rotation.deliveredAt != null ? rotation.deliveredAt : rotation.sealedAt;
        if (start != null && !now.isBefore(start.plus(deadline))) {
            return Optional.of(new RotationAdoptionComplete(rotationId, rotation.workflow, target, Outcome.DEADLINE,
                    start.plus(deadline), laggards));
        }
        return Optional.empty();
    }

    /** How many namespaces of rotations still being adopted are currently at {@code state}. */
    public synchronized long countOpen(AdoptionState state) {
        return rotations.values().stream().filter(r -> r.complete == null)
                .flatMap(r -> r.targets.keySet().stream().map(r::current))
                .filter(current -> current == state).count();
    }

    /** When the rotation was delivered, if known. */
    public synchronized Optional<Instant> deliveredAt(String rotationId) {
        Rotation rotation = rotations.get(rotationId);
        return rotation == null ? Optional.empty() : Optional.ofNullable(rotation.deliveredAt);
    }

    /** The ids of the rotations still being adopted. */
    public synchronized List<String> openRotations() {
        return rotations.entrySet().stream().filter(e -> e.getValue().complete == null).map(Map.Entry::getKey).toList();
    }

    /**
     * Whether {@code t}'s namespace holds the SealedSecrets of a newer rotation of the same workflow: one sealed
     * later (by the sealed events' times, not the ids) for that namespace, naming every SealedSecret {@code t}
     * names, with a state past {@code delivered} published there (so its SealedSecrets were applied over
     * {@code t}'s). Rebuilt from the topics at start-up, as those states are.
     */
    private boolean superseded(Rotation rotation, AdoptionTarget t) {
        return rotation.sealedAt != null && rotations.values().stream().anyMatch(newer ->
                newer.sealedAt != null && newer.sealedAt.isAfter(rotation.sealedAt)
                        && Objects.equals(newer.workflow, rotation.workflow)
                        && newer.targets.containsKey(t.ref())
                        && newer.targets.get(t.ref()).secrets().containsAll(t.secrets())
                        && newer.reached.getOrDefault(t.ref(), Map.of()).keySet().stream()
                                .anyMatch(state -> state != AdoptionState.DELIVERED));
    }

    private Rotation rotation(String id) {
        return rotations.computeIfAbsent(id, k -> new Rotation());
    }

    private static RotationAdopted change(AdoptionTarget t, AdoptionState state, Instant since, String message) {
        return new RotationAdopted(t.rotationId(), t.workflow(), t.environment(), t.namespace(), t.cluster(), state,
                since, message);
    }

    private static final class Rotation {
        String workflow;
        Instant sealedAt;
        Instant deliveredAt;
        Instant linkExpiresAt;
        RotationAdoptionComplete complete;
        final Set<NamespaceRef> reminded = new java.util.HashSet<>();
        final Map<NamespaceRef, AdoptionTarget> targets = new LinkedHashMap<>();
        final Map<NamespaceRef, Map<AdoptionState, RotationAdopted>> reached = new LinkedHashMap<>();

        Map<AdoptionState, RotationAdopted> reached(NamespaceRef ref) {
            return reached.computeIfAbsent(ref, k -> new EnumMap<>(AdoptionState.class));
        }

        /** The latest published state of a namespace, or null. */
        AdoptionState current(NamespaceRef ref) {
            return reached(ref).values().stream()
                    .reduce((a, b) -> b.since().isBefore(a.since()) ? a : b)
                    .map(RotationAdopted::state).orElse(null);
        }
    }
}

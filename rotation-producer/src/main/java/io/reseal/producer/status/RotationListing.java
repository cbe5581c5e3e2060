package io.reseal.producer.status;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The rotations {@code GET /api/v1/rotations} and {@code reseal rotations} list: newest first, optionally of one
 * workflow and in one state. A rotation's state is its pipeline stage ({@code requested} ... {@code notified},
 * {@code failed}) until the adoption watcher reports; then {@code adopting}, and at the end {@code adopted} or
 * {@code deadline}. Stateless.
 */
public final class RotationListing {

    /** The states a listing can be filtered by. */
    public static final List<String> STATES = List.of("requested", "sealed", "packaged", "notified", "failed",
            "adopting", "adopted", "deadline");

    private RotationListing() {}

    public static String stateOf(RotationStatus status) {
        Adoption adoption = status.adoption();
        if (adoption == null || "failed".equals(status.stage())) {
            return status.stage();
        }
        return adoption.complete() != null ? adoption.complete().outcome() : "adopting";
    }

    /**
     * @param workflow only this workflow, or null for all
     * @param state only this state (one of {@link #STATES}), or null for all
     * @param visible whether the caller may see a workflow's rotations
     */
    public static List<RotationStatus> select(Collection<RotationStatus> all, String workflow, String state,
                                              Predicate<String> visible) {
        return all.stream()
                .filter(s -> s.workflow() != null && visible.test(s.workflow()))
                .filter(s -> workflow == null || workflow.equals(s.workflow()))
                .filter(s -> state == null || state.equals(stateOf(s)))
                .sorted(Comparator.comparing(RotationListing::started, Comparator.reverseOrder())
                        .thenComparing(RotationStatus::rotationId))
                .toList();
    }

    private static Instant started(RotationStatus status) {
        return status.stages().values().stream().min(Comparator.naturalOrder()).orElse(Instant.EPOCH);
    }
}

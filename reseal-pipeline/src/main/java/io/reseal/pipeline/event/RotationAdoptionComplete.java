package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Data of {@code io.reseal.rotation.adoption-complete.v1}, published once per rotation: either every namespace
 * reached {@code target} ({@link Outcome#ADOPTED}, {@code laggards} empty), or the deadline passed first
 * ({@link Outcome#DEADLINE}, {@code laggards} naming every namespace still behind and where it stands). This is
 * the signal that the previous credential may be revoked.
 */
public record RotationAdoptionComplete(
        String rotationId,
        String workflow,
        AdoptionState target,
        Outcome outcome,
        Instant at,
        List<Laggard> laggards) {

    public RotationAdoptionComplete {
        Objects.requireNonNull(rotationId, "rotationId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(at, "at");
        laggards = laggards == null ? List.of() : List.copyOf(laggards);
    }

    /** Why adoption is over. */
    public enum Outcome {
        ADOPTED("adopted"),
        DEADLINE("deadline");

        private final String wireName;

        Outcome(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        @JsonCreator
        public static Outcome of(String wireName) {
            for (Outcome outcome : values()) {
                if (outcome.wireName.equals(wireName)) return outcome;
            }
            throw new IllegalArgumentException("unknown outcome '" + wireName + "': expected adopted or deadline");
        }
    }

    /** A namespace that had not reached the target when the deadline passed; {@code state} null: nothing seen. */
    public record Laggard(String environment, String namespace, String cluster, AdoptionState state) {}
}

package io.reseal.producer.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where each namespace of a rotation stands in the clusters, from the adopted topic: the {@code adoption} part of
 * {@code GET /api/v1/rotations/{id}}. Immutable.
 *
 * @param namespaces one row per namespace and cluster, sorted by cluster then namespace: its latest state
 * @param complete how adoption ended, once it did
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Adoption(List<Namespace> namespaces, Complete complete) {

    public Adoption {
        namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    }

    static final Adoption NONE = new Adoption(List.of(), null);

    /** This adoption after {@code adopted}: a namespace's row moves to the newer state (a later one on a tie). */
    Adoption with(RotationAdopted adopted) {
        List<Namespace> rows = new ArrayList<>();
        Namespace row = new Namespace(adopted.environment(), adopted.namespace(), adopted.cluster(), adopted.state(),
                adopted.since(), adopted.message());
        boolean found = false;
        for (Namespace known : namespaces) {
            if (known.namespace().equals(row.namespace()) && known.cluster().equals(row.cluster())) {
                found = true;
                rows.add(row.since().isBefore(known.since()) ? known : row);
            } else {
                rows.add(known);
            }
        }
        if (!found) {
            rows.add(row);
        }
        rows.sort(Comparator.comparing(Namespace::cluster).thenComparing(Namespace::namespace));
        return new Adoption(rows, complete);
    }

    Adoption with(RotationAdoptionComplete done) {
        return complete != null ? this : new Adoption(namespaces,
                new Complete(done.outcome().wireName(), done.target(), done.at(),
                        done.laggards().stream().map(RotationAdoptionComplete.Laggard::namespace).toList()));
    }

    /**
     * One namespace's latest state.
     *
     * @param message the controller's message on {@code decryption-failed}, or what the state rests on
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(String environment, String namespace, String cluster, AdoptionState state, Instant since,
                            String message) {

        /** Whether this namespace may still run the previous credential. */
        public boolean onPreviousCredential() {
            return state != AdoptionState.ROLLED_OUT;
        }
    }

    /**
     * How adoption ended.
     *
     * @param outcome {@code adopted} or {@code deadline}
     * @param laggards the namespaces still behind at the deadline
     */
    public record Complete(String outcome, AdoptionState target, Instant at, List<String> laggards) {}
}

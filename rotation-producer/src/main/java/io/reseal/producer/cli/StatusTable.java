package io.reseal.producer.cli;

import io.reseal.producer.status.Adoption;
import io.reseal.producer.status.RotationListing;
import io.reseal.producer.status.RotationStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text tables for people: a rotation's namespaces ({@code reseal status}) and a list of rotations
 * ({@code reseal rotations}). Columns are padded to their widest cell; a namespace still on the previous
 * credential is marked with {@code *}. Stateless.
 */
public final class StatusTable {

    private StatusTable() {}

    /** The adoption table of {@code status}, or the empty string when the watcher has not reported. */
    public static String adoption(RotationStatus status) {
        Adoption adoption = status.adoption();
        if (adoption == null || adoption.namespaces().isEmpty()) {
            return "";
        }
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("", "NAMESPACE", "CLUSTER", "ENVIRONMENT", "STATE", "SINCE", "MESSAGE"));
        for (Adoption.Namespace ns : adoption.namespaces()) {
            rows.add(List.of(ns.onPreviousCredential() ? "*" : "", ns.namespace(), ns.cluster(),
                    nullToDash(ns.environment()), ns.state().wireName(), ns.since().toString(),
                    nullToDash(ns.message())));
        }
        StringBuilder text = new StringBuilder("adoption\n").append(table(rows));
        if (adoption.namespaces().stream().anyMatch(Adoption.Namespace::onPreviousCredential)) {
            text.append("  * may still run the previous credential\n");
        }
        if (adoption.complete() != null) {
            Adoption.Complete done = adoption.complete();
            text.append("complete  ").append(done.outcome()).append(" at ").append(done.at());
            if (!done.laggards().isEmpty()) {
                text.append(", behind: ").append(String.join(", ", done.laggards()));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** One line per rotation: id, workflow, state, trigger, namespaces rolled out of all. */
    public static String rotations(List<RotationStatus> statuses) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("ROTATION", "WORKFLOW", "STATE", "TRIGGER", "ROLLED-OUT"));
        for (RotationStatus s : statuses) {
            Adoption adoption = s.adoption();
            String rolledOut = adoption == null || adoption.namespaces().isEmpty() ? "-"
                    : adoption.namespaces().stream().filter(n -> !n.onPreviousCredential()).count() + "/"
                            + adoption.namespaces().size();
            rows.add(List.of(s.rotationId(), nullToDash(s.workflow()), nullToDash(RotationListing.stateOf(s)),
                    nullToDash(s.trigger()), rolledOut));
        }
        return table(rows);
    }

    private static String table(List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] width = new int[columns];
        java.util.Arrays.fill(width, 1); // a column empty in every row (no namespace marked) still formats
        rows.forEach(row -> {
            for (int i = 0; i < columns; i++) width[i] = Math.max(width[i], row.get(i).length());
        });
        StringBuilder text = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < columns; i++) {
                line.append(String.format("%-" + width[i] + "s", row.get(i)));
                if (i < columns - 1) line.append("  ");
            }
            text.append(line.toString().stripTrailing()).append('\n');
        }
        return text.toString();
    }

    private static String nullToDash(String text) {
        return text == null || text.isEmpty() ? "-" : text;
    }
}

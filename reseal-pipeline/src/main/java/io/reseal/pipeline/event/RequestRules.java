package io.reseal.pipeline.event;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules every rotation request must meet before anything acts on it, whoever sent it (HTTP API,
 * CLI, scheduler, a hand-written Kafka record). Names end up in namespaces, object keys, file names
 * and mail headers, so they are held to DNS-1123 labels and plain addresses. Stateless.
 */
public final class RequestRules {

    /** A Kubernetes DNS-1123 label. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    /** A plain e-mail address: no display name, no comments, no control characters. */
    public static final Pattern EMAIL = Pattern.compile(
            "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    + "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
    private static final int MAX_REASON = 500;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_REQUESTED_BY = 200;

    private RequestRules() {}

    /** What is wrong with one field of a request. */
    public record FieldError(String field, String message) {}

    /** The first broken rule of {@code request}, if any. */
    public static Optional<FieldError> check(RotationRequested request) {
        return firstOf(
                workflow(request.workflow()),
                environments(request.workflow(), request.environments()),
                names("bundles", request.bundles()),
                requestor(request.requestor()),
                reason(request.reason()),
                idempotency(request.idempotency()));
    }

    /**
     * The first broken rule of a request to finish rotation {@code rotationId} (its {@code rotationid} attribute):
     * it names its workflow, the same rotation in its data if any, and who asked in one short line.
     */
    public static Optional<FieldError> check(RotationFinishing finishing, String rotationId) {
        return checkAsk(finishing.rotationId(), finishing.workflow(), finishing.requestedBy(), rotationId);
    }

    /**
     * The first broken rule of a request to relink rotation {@code rotationId} (its {@code rotationid} attribute):
     * the same rules as a finish request.
     */
    public static Optional<FieldError> check(RotationRelinkRequested relink, String rotationId) {
        return checkAsk(relink.rotationId(), relink.workflow(), relink.requestedBy(), rotationId);
    }

    /** What a request about an existing rotation must show: the rotation, its workflow, who asked in one line. */
    private static Optional<FieldError> checkAsk(String dataRotationId, String workflow, String by, String rotationId) {
        if (dataRotationId != null && !dataRotationId.equals(rotationId)) {
            return error("rotationId", "data.rotationId '" + printable(dataRotationId)
                    + "' is not the event's rotationid '" + printable(rotationId) + "'");
        }
        Optional<FieldError> invalidWorkflow = workflow(workflow);
        if (invalidWorkflow.isPresent()) return invalidWorkflow;
        if (by != null && (by.length() > MAX_REQUESTED_BY || by.chars().anyMatch(Character::isISOControl))) {
            return error("requestedBy", "requestedBy must be one line of at most " + MAX_REQUESTED_BY + " characters");
        }
        return Optional.empty();
    }

    @SafeVarargs
    private static Optional<FieldError> firstOf(Optional<FieldError>... checks) {
        for (Optional<FieldError> check : checks) {
            if (check.isPresent()) return check;
        }
        return Optional.empty();
    }

    public static Optional<FieldError> workflow(String workflow) {
        if (workflow == null || workflow.isEmpty()) {
            return error("workflow", "workflow is required");
        }
        if (workflow.length() > 53 || !DNS_LABEL.matcher(workflow).matches()) {
            return error("workflow", "workflow must be a DNS-1123 label of at most 53 characters "
                    + "(lower-case letters, digits and '-'), so that <workflow>-<environment> is a valid namespace");
        }
        return Optional.empty();
    }

    public static Optional<FieldError> environments(String workflow, List<String> environments) {
        Optional<FieldError> names = names("environments", environments);
        if (names.isPresent() || workflow == null) return names;
        for (String env : environments) {
            if (workflow.length() + 1 + env.length() > 63) {
                return error("environments", "'" + workflow + "-" + env + "' is longer than 63 characters, "
                        + "not a valid namespace name");
            }
        }
        return Optional.empty();
    }

    private static Optional<FieldError> names(String field, List<String> names) {
        for (String name : names) {
            if (name == null || name.length() > 63 || !DNS_LABEL.matcher(name).matches()) {
                return error(field, field + " must be DNS-1123 labels (lower-case letters, digits and '-'), got '"
                        + printable(name) + "'");
            }
        }
        if (names.stream().distinct().count() != names.size()) {
            return error(field, field + " lists a name twice");
        }
        return Optional.empty();
    }

    public static Optional<FieldError> requestor(String requestor) {
        if (requestor == null || requestor.isEmpty()) {
            return error("requestor", "requestor is required");
        }
        if (requestor.length() > 254 || !EMAIL.matcher(requestor).matches()) {
            return error("requestor", "requestor must be a plain e-mail address like team@example.com");
        }
        return Optional.empty();
    }

    private static Optional<FieldError> reason(String reason) {
        if (reason == null) return Optional.empty();
        if (reason.length() > MAX_REASON) {
            return error("reason", "reason is longer than " + MAX_REASON + " characters");
        }
        if (reason.chars().anyMatch(Character::isISOControl)) {
            return error("reason", "reason must be one line without control characters");
        }
        return Optional.empty();
    }

    private static Optional<FieldError> idempotency(RequestIdempotency idempotency) {
        if (idempotency == null) return Optional.empty();
        if (idempotency.keySha256() == null || !SHA256_HEX.matcher(idempotency.keySha256()).matches()
                || idempotency.requestSha256() == null || !SHA256_HEX.matcher(idempotency.requestSha256()).matches()) {
            return error("idempotency", "idempotency.keySha256 and idempotency.requestSha256 must be 64 lower-case hex digits");
        }
        return Optional.empty();
    }

    private static Optional<FieldError> error(String field, String message) {
        return Optional.of(new FieldError(field, message));
    }

    /** A name as it may be shown in an error: control characters replaced, length capped. */
    public static String printable(String s) {
        if (s == null) return "null";
        String cleaned = s.codePoints()
                .map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return cleaned.length() > 80 ? cleaned.substring(0, 80) + "..." : cleaned;
    }
}

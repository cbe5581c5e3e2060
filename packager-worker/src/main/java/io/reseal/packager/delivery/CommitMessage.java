package io.reseal.packager.delivery;

import io.reseal.pipeline.event.RotationSealed;
import java.util.stream.Collectors;

/**
 * The message of a rotation's commit: a subject naming the workflow and trigger, the rotation's facts, and a
 * {@code Reseal-Rotation: <id>} trailer by which a redelivered rotation finds the commit it already made.
 * Free text from the request (the reason) is reduced to one printable line.
 */
final class CommitMessage {

    static final String TRAILER = "Reseal-Rotation: ";

    private CommitMessage() {}

    static String render(RotationSealed sealed) {
        String trigger = sealed.trigger() == null ? "ad-hoc" : sealed.trigger().wireName();
        StringBuilder message = new StringBuilder()
                .append("Rotate sealed secrets of ").append(sealed.workflow()).append(" (").append(trigger).append(")\n\n")
                .append("Workflow: ").append(sealed.workflow()).append('\n')
                .append("Rotation: ").append(sealed.rotationId()).append('\n')
                .append("Trigger: ").append(trigger).append('\n');
        if (sealed.reason() != null && !sealed.reason().isBlank()) {
            message.append("Reason: ").append(oneLine(sealed.reason())).append('\n');
        }
        message.append("Environments: ").append(sealed.environments().stream().map(RotationSealed.Environment::name)
                        .collect(Collectors.joining(", "))).append('\n')
                .append("Requested by: ").append(oneLine(sealed.requestor())).append("\n\n")
                .append(TRAILER).append(sealed.rotationId()).append('\n');
        return message.toString();
    }

    /** Whether {@code message} is the commit of rotation {@code rotationId}. */
    static boolean isOf(String message, String rotationId) {
        return message.lines().anyMatch(line -> line.equals(TRAILER + rotationId));
    }

    private static String oneLine(String text) {
        String flat = text.codePoints()
                .map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
        return flat.length() > 200 ? flat.substring(0, 200) + "..." : flat;
    }
}

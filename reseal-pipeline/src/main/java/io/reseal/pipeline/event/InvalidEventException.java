package io.reseal.pipeline.event;

/**
 * A record that cannot be accepted as an event of the contract. {@link #code()} is the wire form of an
 * {@link ErrorCode} ({@code invalid-json}, {@code not-a-cloudevent}, {@code unknown-type},
 * {@code missing-field}, {@code invalid-field}); the message names the problem and never echoes a
 * record's payload.
 */
public final class InvalidEventException extends Exception {

    private final String code;

    public InvalidEventException(ErrorCode code, String message) {
        super(message);
        this.code = code.wire();
    }

    public String code() {
        return code;
    }
}

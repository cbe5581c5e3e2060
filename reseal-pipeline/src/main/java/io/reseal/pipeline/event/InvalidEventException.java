package io.reseal.pipeline.event;

/**
 * A record that cannot be accepted as an event of the contract. {@code code} is stable and
 * machine-readable ({@code invalid-json}, {@code not-a-cloudevent}, {@code unknown-type},
 * {@code missing-field}, {@code invalid-field}); the message names the problem and never echoes a
 * record's payload.
 */
public final class InvalidEventException extends Exception {

    private final String code;

    public InvalidEventException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}

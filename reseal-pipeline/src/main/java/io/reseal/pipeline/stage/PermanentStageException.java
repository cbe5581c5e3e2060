package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.ErrorCode;

/**
 * Processing this event can never succeed; the rotation ends on the failed topic with this code and
 * message. The message is shown to people: it names what is wrong and never holds a credential.
 */
public class PermanentStageException extends Exception {

    private final String code;

    public PermanentStageException(ErrorCode code, String message) {
        this(code.wire(), message);
    }

    public PermanentStageException(ErrorCode code, String message, Throwable cause) {
        this(code.wire(), message, cause);
    }

    /** With a code outside {@link ErrorCode}; prefer the {@link ErrorCode} constructors. */
    public PermanentStageException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** With a code outside {@link ErrorCode}; prefer the {@link ErrorCode} constructors. */
    public PermanentStageException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The code as records carry it ({@link ErrorCode#wire()}). */
    public String code() {
        return code;
    }
}

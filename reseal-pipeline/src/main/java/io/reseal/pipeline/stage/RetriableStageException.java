package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.ErrorCode;

/**
 * Processing this event failed for a reason that may pass (a server is unreachable, a 5xx answer).
 * The worker backs off and redelivers the same event until the stage's retry deadline, then reports
 * the rotation as failed with this code and message (which never hold a credential).
 */
public class RetriableStageException extends Exception {

    private final String code;

    public RetriableStageException(ErrorCode code, String message, Throwable cause) {
        this(code.wire(), message, cause);
    }

    /** With a code outside {@link ErrorCode}; prefer the {@link ErrorCode} constructor. */
    public RetriableStageException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The code as records carry it ({@link ErrorCode#wire()}). */
    public String code() {
        return code;
    }
}

package io.reseal.pipeline.stage;

/**
 * Processing this event failed for a reason that may pass (a server is unreachable, a 5xx answer).
 * The worker backs off and redelivers the same event until the stage's retry deadline, then reports
 * the rotation as failed with this code and message (which never hold a credential).
 */
public class RetriableStageException extends Exception {

    private final String code;

    public RetriableStageException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}

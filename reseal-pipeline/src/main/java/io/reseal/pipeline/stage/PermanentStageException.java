package io.reseal.pipeline.stage;

/**
 * Processing this event can never succeed; the rotation ends on the failed topic with this code and
 * message. The message is shown to people: it names what is wrong and never holds a credential.
 */
public class PermanentStageException extends Exception {

    private final String code;

    public PermanentStageException(String code, String message) {
        super(message);
        this.code = code;
    }

    public PermanentStageException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}

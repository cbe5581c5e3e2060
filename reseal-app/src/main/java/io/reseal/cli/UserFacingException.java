package io.reseal.cli;

/** An error the command reports as one line (bad arguments, unreachable API, a check that failed). */
public final class UserFacingException extends RuntimeException {

    public UserFacingException(String message) {
        super(message);
    }
}

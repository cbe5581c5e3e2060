package io.reseal.packager.delivery;

/**
 * A rotation could not be committed to its repository. {@link #passing()} tells whether trying again later
 * may succeed (the server is unreachable or busy, the branch kept moving) or not (the login or the push was
 * refused). The message names the repository and the reason and never holds a credential.
 */
public final class GitDeliveryException extends Exception {

    private final boolean passing;

    GitDeliveryException(String message, boolean passing) {
        super(message);
        this.passing = passing;
    }

    public boolean passing() {
        return passing;
    }
}

package io.reseal.sealer.crypto;

/**
 * A failure to seal or unseal that the user can act upon: bad key material, a value that does not
 * open, an invalid manifest. The message is one line meant for a person (a CLI prints it as is)
 * and never contains a plaintext value.
 */
public class SealingException extends RuntimeException {

    public SealingException(String message) {
        super(message);
    }

    public SealingException(String message, Throwable cause) {
        super(message, cause);
    }
}

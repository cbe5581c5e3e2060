package io.reseal.sealer.crypto;

/** A private key that cannot be read or is not an unencrypted RSA key. */
public class InvalidPrivateKeyException extends SealingException {

    public InvalidPrivateKeyException(String message) {
        super(message);
    }

    public InvalidPrivateKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}

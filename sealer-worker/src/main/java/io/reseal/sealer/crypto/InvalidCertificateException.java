package io.reseal.sealer.crypto;

/** A sealing certificate that cannot be read or must not be used (garbage, non-RSA, too small, expired). */
public class InvalidCertificateException extends SealingException {

    public InvalidCertificateException(String message) {
        super(message);
    }

    public InvalidCertificateException(String message, Throwable cause) {
        super(message, cause);
    }
}

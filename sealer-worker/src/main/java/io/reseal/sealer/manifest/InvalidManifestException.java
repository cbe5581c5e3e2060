package io.reseal.sealer.manifest;

import io.reseal.sealer.crypto.SealingException;

/** A Secret or SealedSecret manifest that cannot be read or sealed; the message names the field. */
public class InvalidManifestException extends SealingException {

    public InvalidManifestException(String message) {
        super(message);
    }
}

package io.reseal.packager.archive;

/**
 * The sealed event cannot become a package (an unsafe name, a missing field, a manifest that does not
 * match its secret). Retrying never helps. The message names the field and value at fault and never
 * holds a credential: events carry only names and ciphertext.
 */
public class InvalidPackageInputException extends IllegalArgumentException {

    public InvalidPackageInputException(String message) {
        super(message);
    }
}

package io.reseal.sealer.crypto;

import java.util.Objects;

/** A sealed value that does not open; {@link #reason()} says at which step it failed. */
public class UnsealException extends SealingException {

    /** The step at which opening failed, in the order the steps run. */
    public enum Reason {
        /** Fewer bytes than the length header and the RSA part it announces. */
        TOO_SHORT,
        /** RSA-OAEP refused the key block: another label (scope, namespace or name) or another key. */
        RSA_OAEP,
        /** AES-GCM refused the value: it was truncated or tampered with. */
        AES_GCM
    }

    private final Reason reason;

    public UnsealException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}

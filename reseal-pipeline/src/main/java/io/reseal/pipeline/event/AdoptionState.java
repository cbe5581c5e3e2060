package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * How far one namespace has taken up one rotation, in the order it gets there: {@code delivered} (the package
 * was mailed) {@code -> applied} (the rotation's SealedSecret is in the namespace) {@code -> unsealed} (the
 * controller reports {@code Synced=True} for the current generation and the Secret carries this rotation's id)
 * {@code -> rolled-out} (every workload using the Secret runs pods started after it). {@code decryption-failed}
 * stands apart: the controller could not open the SealedSecret.
 */
public enum AdoptionState {
    DELIVERED("delivered"),
    APPLIED("applied"),
    UNSEALED("unsealed"),
    ROLLED_OUT("rolled-out"),
    DECRYPTION_FAILED("decryption-failed");

    private final String wireName;

    AdoptionState(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Whether this state is on the way forward and at least {@code other} (decryption-failed is neither). */
    public boolean reached(AdoptionState other) {
        return this != DECRYPTION_FAILED && other != DECRYPTION_FAILED && ordinal() >= other.ordinal();
    }

    @JsonCreator
    public static AdoptionState of(String wireName) {
        return Arrays.stream(values())
                .filter(s -> s.wireName.equals(wireName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown adoption state '" + wireName
                        + "': expected delivered, applied, unsealed, rolled-out or decryption-failed"));
    }
}

package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** Why a rotation was started. */
public enum Trigger {
    SCHEDULED("scheduled"),
    AD_HOC("ad-hoc"),
    KEY_RENEWAL("key-renewal");

    private final String wireName;

    Trigger(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static Trigger of(String wireName) {
        return Arrays.stream(values())
                .filter(t -> t.wireName.equals(wireName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown trigger '" + wireName + "': expected scheduled, ad-hoc or key-renewal"));
    }
}

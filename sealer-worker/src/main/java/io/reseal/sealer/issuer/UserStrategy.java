package io.reseal.sealer.issuer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How an issuer of user logins ({@code postgres}, {@code kafka-scram}) rotates the credential. */
public enum UserStrategy {
    /** Two users; each rotation sets a fresh password on the one not in use, so both log in until finish. */
    ALTERNATING_USERS,
    /** A fresh password on the one user: the previous password stops working at once. */
    SINGLE_USER;

    /** The name in YAML and in {@code IssuedVersions.strategy}. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @JsonCreator
    public static UserStrategy of(String name) {
        for (UserStrategy strategy : values()) {
            if (strategy.wireName().equals(name)) return strategy;
        }
        throw new IllegalArgumentException("unknown strategy '" + name + "': expected alternating-users or single-user");
    }
}

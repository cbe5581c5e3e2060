package io.reseal.sealer.issuer;

import io.reseal.sealer.values.ValueSource;

/**
 * An issuer's admin login (user name and password), as value sources: the {@code admin} of {@code postgres} and
 * {@code kafka-scram}. The issuer's settings check it with {@link #check}, which names the key in its message.
 */
public record AdminLogin(ValueSource username, ValueSource password) {

    /**
     * @param key where the login stands in the configuration, e.g. {@code postgres.admin}
     * @throws IllegalArgumentException when the user name or password is missing, or is to be issued by an issuer
     */
    void check(String key) {
        if (username == null || password == null) {
            throw new IllegalArgumentException(key + " needs username and password");
        }
        if (username instanceof ValueSource.Issued || password instanceof ValueSource.Issued) {
            throw new IllegalArgumentException(key + " cannot be issued by an issuer");
        }
    }
}

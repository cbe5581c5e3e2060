package io.reseal.producer.api;

import java.util.regex.Pattern;

/**
 * The {@code Idempotency-Key} request header of the calls that publish (create, relink): absent, or 1-200 printable
 * ASCII characters without spaces. Stateless.
 */
final class IdempotencyKeyHeader {

    static final String NAME = "Idempotency-Key";

    private static final Pattern VALID = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private IdempotencyKeyHeader() {
    }

    /** The header's value as sent (null when absent), or a 400 {@code invalid-header} naming the header. */
    static String checked(String value) throws RequestRejected {
        if (value != null && !VALID.matcher(value).matches()) {
            throw RequestRejected.badField("invalid-header", NAME,
                    NAME + " must be 1-200 printable ASCII characters without spaces");
        }
        return value;
    }
}

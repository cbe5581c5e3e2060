package io.reseal.pipeline.event;

import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context {@code traceparent} value (version {@code 00}): {@code 00-<trace-id>-<parent-id>-<flags>}.
 * Reseal carries it in a Kafka record header of the same name from the API request to the e-mail: every hop
 * keeps the trace id and puts its own parent id. Immutable; {@link #parse} accepts only well-formed values
 * (lower-case hex, ids not all zero).
 *
 * @param traceId 32 hex digits, the same for every hop of one rotation
 * @param parentId 16 hex digits, the hop that wrote the record
 * @param flags 2 hex digits ({@code 01}: sampled)
 */
public record TraceParent(String traceId, String parentId, String flags) {

    /** The header name, in HTTP and in Kafka records. */
    public static final String HEADER = "traceparent";

    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");

    public TraceParent {
        if (!FORMAT.matcher("00-" + traceId + "-" + parentId + "-" + flags).matches()
                || traceId.chars().allMatch(c -> c == '0') || parentId.chars().allMatch(c -> c == '0')) {
            throw new IllegalArgumentException("not a valid traceparent");
        }
    }

    /** The trace context in {@code value}, or empty when it is missing or malformed. */
    public static Optional<TraceParent> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(value.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TraceParent(m.group(1), m.group(2), m.group(3)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A new trace, sampled. */
    public static TraceParent start() {
        return new TraceParent(randomHex(16), randomHex(8), "01");
    }

    /** The next hop of this trace: same trace id and flags, a new parent id. */
    public TraceParent next() {
        return new TraceParent(traceId, randomHex(8), flags);
    }

    /** The header value. */
    public String header() {
        return "00-" + traceId + "-" + parentId + "-" + flags;
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        do {
            ThreadLocalRandom.current().nextBytes(random);
        } while (isZero(random));
        return HexFormat.of().formatHex(random);
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) return false;
        }
        return true;
    }
}

package io.reseal.producer.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many rotation requests each API token may make: at most its {@code requestsPerMinute} in any fixed minute
 * of this replica's clock, so a leaked or careless token cannot make Reseal mail without end. Counted per replica
 * (behind N replicas a token gets up to N times its rate). Thread-safe.
 */
final class RequestRate {

    private record Window(long minute, int count) {}

    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    RequestRate(Clock clock) {
        this.clock = clock;
    }

    /**
     * Counts one request of {@code token}; the time to wait if it is over {@code perMinute}, else {@code null}.
     */
    Duration acquire(String token, int perMinute) {
        Instant now = clock.instant();
        long minute = now.getEpochSecond() / 60;
        Window window = windows.compute(token, (name, old) ->
                old == null || old.minute() != minute ? new Window(minute, 1) : new Window(minute, old.count() + 1));
        if (window.count() <= perMinute) {
            return null;
        }
        return Duration.ofSeconds((minute + 1) * 60 - now.getEpochSecond());
    }
}

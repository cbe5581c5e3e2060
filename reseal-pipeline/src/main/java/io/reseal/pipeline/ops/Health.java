package io.reseal.pipeline.ops;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The one JSON shape of every Reseal health endpoint ({@code /health/live}, {@code /health/ready}, workers and
 * producer alike): {@code {"status":"up","checks":{"kafka":"up","worker":"down"}}}, up when every named check is
 * up (and when there is none). Names are fixed words chosen by the code, never data.
 */
public final class Health {

    private Health() {}

    public static boolean isUp(Map<String, Boolean> checks) {
        return !checks.containsValue(false);
    }

    /** The body for {@code checks}, in their iteration order. */
    public static String json(Map<String, Boolean> checks) {
        return "{\"status\":\"" + word(isUp(checks)) + "\",\"checks\":{" + checks.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + word(e.getValue()) + "\"")
                .collect(Collectors.joining(",")) + "}}";
    }

    private static String word(boolean up) {
        return up ? "up" : "down";
    }
}

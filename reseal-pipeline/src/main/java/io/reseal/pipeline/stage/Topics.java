package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** The topic name of every event type: the contract's defaults, each one overridable. Immutable. */
public final class Topics {

    private final Map<EventType, String> names;

    private Topics(Map<EventType, String> names) {
        this.names = names;
    }

    public static Topics defaults() {
        return withOverrides(Map.of());
    }

    /** Defaults, except for the types named in {@code overrides}. */
    public static Topics withOverrides(Map<EventType, String> overrides) {
        Map<EventType, String> names = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            String name = overrides.getOrDefault(type, type.defaultTopic());
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("invalid topic name for " + type.shortName() + ": '" + name + "'");
            }
            names.put(type, name);
        }
        return new Topics(names);
    }

    public String of(EventType type) {
        return Objects.requireNonNull(names.get(type));
    }

    public Map<EventType, String> all() {
        return Map.copyOf(names);
    }
}

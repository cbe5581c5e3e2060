package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The topic name of every event type: the contract's defaults, each topic overridable. A type that travels on
 * another type's topic ({@link EventType#carrier()}) always has its carrier's name, so its readers find it.
 * Immutable.
 */
public final class Topics {

    private final Map<EventType, String> names;

    private Topics(Map<EventType, String> names) {
        this.names = names;
    }

    public static Topics defaults() {
        return withOverrides(Map.of());
    }

    /**
     * Defaults, except for the topics of the types named in {@code overrides}.
     *
     * @throws IllegalArgumentException for an invalid name, two types with topics of their own given one name, or
     *     an override of a type that travels on another type's topic (naming the type to override instead)
     */
    public static Topics withOverrides(Map<EventType, String> overrides) {
        for (EventType type : overrides.keySet()) {
            if (type.carrier() != type) {
                throw new IllegalArgumentException(type.shortName() + " travels on the " + type.carrier().shortName()
                        + " topic and cannot have a topic of its own: override " + type.carrier().shortName() + " instead");
            }
        }
        Map<EventType, String> names = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            EventType carrier = type.carrier();
            String name = overrides.getOrDefault(carrier, carrier.defaultTopic());
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,249}")) {
                throw new IllegalArgumentException("invalid topic name for " + type.shortName() + ": '" + name + "'");
            }
            names.put(type, name);
        }
        Map<String, EventType> ownerOfName = new HashMap<>();
        for (EventType type : EventType.values()) {
            if (type.carrier() != type) continue;
            EventType other = ownerOfName.putIfAbsent(names.get(type), type);
            if (other != null) {
                throw new IllegalArgumentException(other.shortName() + " and " + type.shortName() + " both name topic '"
                        + names.get(type) + "': each needs a topic of its own");
            }
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

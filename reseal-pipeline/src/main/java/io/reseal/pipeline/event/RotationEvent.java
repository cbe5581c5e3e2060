package io.reseal.pipeline.event;

import java.net.URI;
import java.time.OffsetDateTime;
import java.util.Objects;

/**
 * One CloudEvent of the contract with its typed data. Immutable. {@code id} is stable for every
 * retry of the same logical event, so consumers can deduplicate on it; {@code rotationId} travels as
 * the {@code rotationid} extension attribute; {@code subject} is the workflow (also the record key).
 *
 * @param <T> the data class that belongs to {@code type}
 */
public record RotationEvent<T>(
        String id, URI source, EventType type, String subject, OffsetDateTime time, String rotationId, T data) {

    public RotationEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(data, "data");
        if (!type.dataClass().isInstance(data)) {
            throw new IllegalArgumentException(type.ceType() + " carries " + type.dataClass().getSimpleName()
                    + ", not " + data.getClass().getSimpleName());
        }
    }

    /** The event a stage emits for a rotation: its id is derived from the rotation id and the type, hence stable. */
    public static <D> RotationEvent<D> forRotation(
            String rotationId, EventType type, String source, String workflow, OffsetDateTime time, D data) {
        return new RotationEvent<>(
                rotationId + "." + type.shortName(), URI.create(source), type, workflow, time, rotationId, data);
    }

    /** Casts the data to what the caller expects; fails clearly if the event is of another type. */
    public <D> D dataAs(Class<D> dataClass) {
        if (!dataClass.isInstance(data)) {
            throw new IllegalStateException("expected " + dataClass.getSimpleName() + " but event " + id
                    + " is " + type.ceType());
        }
        return dataClass.cast(data);
    }
}

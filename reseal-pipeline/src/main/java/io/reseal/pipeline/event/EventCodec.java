package io.reseal.pipeline.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns {@link RotationEvent}s into Kafka records and back, as CloudEvents 1.0.
 *
 * <p>Writes structured mode ({@code content-type: application/cloudevents+json}, record key = the
 * workflow, or the cluster for an event about its key, {@link EventType#isKey()}). Reads structured mode (with or without the content-type header, so an event typed by hand
 * into kcat works) and binary mode ({@code ce_*} headers). Reading is strict: every reason to reject a
 * record becomes an {@link InvalidEventException} that names the problem. Thread-safe.
 */
public final class EventCodec {

    public static final String CONTENT_TYPE = "application/cloudevents+json";
    public static final String ROTATION_ID_EXTENSION = "rotationid";
    private static final Pattern ROTATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    private final JsonFormat format = new JsonFormat();

    /** A structured-mode record for {@code event} on {@code topic}. */
    public ProducerRecord<String, byte[]> toRecord(String topic, RotationEvent<?> event) {
        byte[] data;
        try {
            data = EventJson.mapper().writeValueAsBytes(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write data of " + event.type().ceType(), e);
        }
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(event.id())
                .withSource(event.source())
                .withType(event.type().ceType())
                .withTime(event.time())
                .withDataContentType("application/json")
                .withData(data);
        if (event.subject() != null) {
            builder.withSubject(event.subject());
        }
        if (event.rotationId() != null) {
            builder.withExtension(ROTATION_ID_EXTENSION, event.rotationId());
        }
        ProducerRecord<String, byte[]> record =
                new ProducerRecord<>(topic, event.subject(), format.serialize(builder.build()));
        record.headers().add("content-type", CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
        return record;
    }

    /** Reads a record as an event of the contract, or says exactly why it is not one. */
    public RotationEvent<?> fromRecord(ConsumerRecord<?, byte[]> record) throws InvalidEventException {
        CloudEvent cloudEvent = isBinaryMode(record) ? readBinary(record) : readStructured(record.value());
        EventType type = EventType.ofCeType(cloudEvent.getType())
                .orElseThrow(() -> new InvalidEventException(ErrorCode.UNKNOWN_TYPE, "unknown event type '"
                        + cloudEvent.getType() + "': expected one of " + knownTypes()));
        if (cloudEvent.getData() == null) {
            throw new InvalidEventException(ErrorCode.MISSING_FIELD, type.ceType() + " has no data");
        }
        Object data = readData(type, cloudEvent.getData().toBytes());
        String rotationId = rotationId(cloudEvent, type);
        OffsetDateTime time = cloudEvent.getTime() != null
                ? cloudEvent.getTime()
                : OffsetDateTime.ofInstant(Instant.ofEpochMilli(Math.max(0, record.timestamp())), ZoneOffset.UTC);
        String subject = cloudEvent.getSubject() != null ? cloudEvent.getSubject() : subjectOf(data);
        return new RotationEvent<>(cloudEvent.getId(), cloudEvent.getSource(), type, subject, time, rotationId, data);
    }

    private static boolean isBinaryMode(ConsumerRecord<?, byte[]> record) {
        return record.headers().lastHeader("ce_specversion") != null;
    }

    private static CloudEvent readBinary(ConsumerRecord<?, byte[]> record) throws InvalidEventException {
        try {
            return KafkaMessageFactory.createReader(record.headers(), record.value()).toEvent();
        } catch (CloudEventRWException | IllegalStateException e) {
            throw new InvalidEventException(ErrorCode.NOT_A_CLOUDEVENT, "binary-mode record is not a valid CloudEvent: "
                    + e.getMessage());
        }
    }

    private CloudEvent readStructured(byte[] value) throws InvalidEventException {
        if (value == null || value.length == 0) {
            throw new InvalidEventException(ErrorCode.INVALID_JSON, "record has no value");
        }
        JsonNode tree;
        try {
            tree = EventJson.mapper().readTree(value);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(ErrorCode.INVALID_JSON, "record value is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new InvalidEventException(ErrorCode.INVALID_JSON, "record value is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidEventException(ErrorCode.NOT_A_CLOUDEVENT, "record value is JSON but not an object");
        }
        for (String attribute : new String[] {"specversion", "id", "source", "type"}) {
            JsonNode node = tree.get(attribute);
            if (node == null || !node.isTextual() || node.asText().isBlank()) {
                throw new InvalidEventException(ErrorCode.NOT_A_CLOUDEVENT, "missing CloudEvents attribute '" + attribute + "'");
            }
        }
        if (!"1.0".equals(tree.get("specversion").asText())) {
            throw new InvalidEventException(ErrorCode.NOT_A_CLOUDEVENT, "unsupported specversion '"
                    + tree.get("specversion").asText() + "': expected 1.0");
        }
        try {
            return format.deserialize(value);
        } catch (RuntimeException e) {
            throw new InvalidEventException(ErrorCode.NOT_A_CLOUDEVENT, "not a valid CloudEvent: " + e.getMessage());
        }
    }

    private static Object readData(EventType type, byte[] bytes) throws InvalidEventException {
        ObjectReader reader = EventJson.mapper().readerFor(type.dataClass());
        if (type == EventType.REQUESTED) {
            // Written by people and other tools: a misspelt field must not be silently ignored.
            reader = reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        }
        try {
            Object data = reader.readValue(bytes);
            if (data == null) {
                throw new InvalidEventException(ErrorCode.MISSING_FIELD, type.ceType() + " has no data");
            }
            return data;
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidEventException(ErrorCode.INVALID_FIELD, "unknown field data." + e.getPropertyName());
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof NullPointerException) {
                throw new InvalidEventException(ErrorCode.MISSING_FIELD, "missing required field data." + cause.getMessage());
            }
            throw new InvalidEventException(ErrorCode.INVALID_FIELD, "invalid data: "
                    + (cause != null ? cause.getMessage() : e.getOriginalMessage()));
        } catch (InvalidFormatException e) {
            throw new InvalidEventException(ErrorCode.INVALID_FIELD, "invalid value for data." + path(e) + ": expected "
                    + e.getTargetType().getSimpleName());
        } catch (MismatchedInputException e) {
            throw new InvalidEventException(ErrorCode.INVALID_FIELD, "wrong type for data." + path(e));
        } catch (IOException e) {
            throw new InvalidEventException(ErrorCode.INVALID_JSON, "data is not valid JSON: " + e.getMessage());
        }
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String rotationId(CloudEvent event, EventType type) throws InvalidEventException {
        if (type.isKey()) {
            return null; // about a cluster's key, not a rotation
        }
        Object extension = event.getExtension(ROTATION_ID_EXTENSION);
        if (extension == null) {
            if (type == EventType.FAILED) {
                return null; // a record too broken to tell its rotation
            }
            if (type != EventType.REQUESTED) {
                throw new InvalidEventException(ErrorCode.MISSING_FIELD, "missing extension attribute '"
                        + ROTATION_ID_EXTENSION + "'");
            }
            // A request written by hand: derive a rotation id that is the same for every redelivery.
            return UUID.nameUUIDFromBytes((event.getSource() + "\n" + event.getId()).getBytes(StandardCharsets.UTF_8))
                    .toString();
        }
        String rotationId = extension.toString();
        if (!ROTATION_ID.matcher(rotationId).matches()) {
            throw new InvalidEventException(ErrorCode.INVALID_FIELD, "extension attribute '" + ROTATION_ID_EXTENSION
                    + "' must be 1-100 letters, digits, '.', '_' or '-'");
        }
        return rotationId;
    }

    /** The workflow of a rotation's event, the cluster of a key's. */
    private static String subjectOf(Object data) {
        if (data instanceof RotationRequested r) return r.workflow();
        if (data instanceof RotationSealed s) return s.workflow();
        if (data instanceof RotationPackaged p) return p.workflow();
        if (data instanceof RotationNotified n) return n.workflow();
        if (data instanceof RotationFailed f) return f.workflow();
        if (data instanceof RotationAdopted a) return a.workflow();
        if (data instanceof RotationAdoptionComplete c) return c.workflow();
        if (data instanceof RotationReminded r) return r.workflow();
        if (data instanceof RotationFinishDeferred d) return d.workflow();
        if (data instanceof KeyChanged k) return k.cluster();
        if (data instanceof KeyApproved k) return k.cluster();
        return null;
    }

    private static String knownTypes() {
        return java.util.Arrays.stream(EventType.values()).map(EventType::ceType).collect(Collectors.joining(", "));
    }

    /** The value of a header as text, or {@code null}. */
    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}

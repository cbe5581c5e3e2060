package io.reseal.pipeline.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final EventCodec codec = new EventCodec();
    private static final OffsetDateTime TIME = OffsetDateTime.of(2026, 11, 29, 3, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void writesStructuredModeWithTheWorkflowAsKeyAndReadsItBack() throws Exception {
        // given
        RotationEvent<RotationRequested> event = RotationEvent.forRotation("rot-1", EventType.REQUESTED,
                "/reseal/rotation-producer", "financial-ml", TIME, new RotationRequested("financial-ml",
                        List.of("dev", "production"), List.of(), "financial-team@example.com", "quarterly", Trigger.AD_HOC, null));
        // when
        ProducerRecord<String, byte[]> record = codec.toRecord("reseal.rotation.requested", event);
        RotationEvent<?> read = codec.fromRecord(consumed(record.value(), record.headers(), record.key()));
        // then
        assertThat(record.key()).isEqualTo("financial-ml");
        assertThat(new String(record.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
                .isEqualTo("application/cloudevents+json");
        String json = new String(record.value(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"specversion\":\"1.0\"", "\"rotationid\":\"rot-1\"",
                "\"type\":\"io.reseal.rotation.requested.v1\"", "\"subject\":\"financial-ml\"",
                "\"datacontenttype\":\"application/json\"", "\"trigger\":\"ad-hoc\"");
        assertThat(read).isEqualTo(event);
        assertThat(read.id()).isEqualTo("rot-1.requested");
    }

    @Test
    void acceptsAMinimalRequestTypedByHandWithoutHeaders() throws Exception {
        // given: what someone would type into kcat
        String json = """
                {"specversion":"1.0","id":"manual-42","source":"/ops/kcat","type":"io.reseal.rotation.requested.v1",
                 "data":{"workflow":"financial-ml","requestor":"financial-team@example.com"}}""";
        // when
        RotationEvent<?> first = codec.fromRecord(consumed(json.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null));
        RotationEvent<?> again = codec.fromRecord(consumed(json.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null));
        // then
        RotationRequested data = first.dataAs(RotationRequested.class);
        assertThat(data.workflow()).isEqualTo("financial-ml");
        assertThat(data.environments()).isEmpty();
        assertThat(data.bundles()).isEmpty();
        assertThat(data.trigger()).isEqualTo(Trigger.AD_HOC);
        assertThat(first.subject()).isEqualTo("financial-ml");
        assertThat(first.rotationId()).isNotBlank().isEqualTo(again.rotationId());
    }

    @Test
    void acceptsBinaryMode() throws Exception {
        // given
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_specversion", "1.0".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_id", "bin-1".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_source", "/argo-events".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_type", "io.reseal.rotation.requested.v1".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_rotationid", "rot-bin".getBytes(StandardCharsets.UTF_8));
        headers.add("content-type", "application/json".getBytes(StandardCharsets.UTF_8));
        byte[] data = "{\"workflow\":\"credit-ml\",\"requestor\":\"a@example.com\",\"environments\":[\"dev\"]}"
                .getBytes(StandardCharsets.UTF_8);
        // when
        RotationEvent<?> event = codec.fromRecord(consumed(data, headers, "credit-ml"));
        // then
        assertThat(event.rotationId()).isEqualTo("rot-bin");
        assertThat(event.dataAs(RotationRequested.class).environments()).containsExactly("dev");
    }

    @Test
    void namesWhatIsWrongWithABrokenRecord() {
        assertRejected("{not json", "invalid-json", "not valid JSON");
        assertRejected("[1,2]", "not-a-cloudevent", "not an object");
        assertRejected("{\"specversion\":\"1.0\",\"source\":\"/x\",\"type\":\"io.reseal.rotation.requested.v1\"}",
                "not-a-cloudevent", "'id'");
        assertRejected("{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"io.reseal.rotation.requested.v1\"}",
                "not-a-cloudevent", "specversion '0.3'");
        assertRejected(minimal("io.example.other", "{\"workflow\":\"a\",\"requestor\":\"a@b.example\"}"),
                "unknown-type", "unknown event type 'io.example.other'");
        assertRejected(minimal("io.reseal.rotation.requested.v1", "{\"requestor\":\"a@b.example\"}"),
                "missing-field", "data.workflow");
        assertRejected(minimal("io.reseal.rotation.requested.v1", "{\"workflow\":\"a\",\"requestor\":\"a@b.example\",\"enviroments\":[]}"),
                "invalid-field", "unknown field data.enviroments");
        assertRejected(minimal("io.reseal.rotation.requested.v1", "{\"workflow\":\"a\",\"requestor\":\"a@b.example\",\"environments\":\"dev\"}"),
                "invalid-field", "data.environments");
        assertRejected(minimal("io.reseal.rotation.requested.v1", "{\"workflow\":\"a\",\"requestor\":\"a@b.example\",\"trigger\":\"sometimes\"}"),
                "invalid-field", "unknown trigger 'sometimes'");
        assertRejected(minimal("io.reseal.rotation.sealed.v1", "{\"rotationId\":\"r\",\"workflow\":\"a\",\"environments\":[]}"),
                "missing-field", "rotationid");
        assertRejected("", "invalid-json", "no value");
    }

    @Test
    void refusesARotationIdThatCouldEscapeAnObjectKey() {
        String json = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"io.reseal.rotation.requested.v1\","
                + "\"rotationid\":\"../../etc\",\"data\":{\"workflow\":\"a\",\"requestor\":\"a@b.example\"}}";
        assertRejected(json, "invalid-field", "rotationid");
    }

    private static String minimal(String type, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/x\",\"type\":\"" + type + "\",\"data\":" + data + "}";
    }

    private void assertRejected(String value, String code, String messagePart) {
        assertThatThrownBy(() -> codec.fromRecord(consumed(value.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), null)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((InvalidEventException) e).code()).isEqualTo(code));
    }

    private static ConsumerRecord<String, byte[]> consumed(byte[] value, org.apache.kafka.common.header.Headers headers, String key) {
        return new ConsumerRecord<>("t", 0, 0L, Instant.parse("2026-11-29T03:00:00Z").toEpochMilli(),
                TimestampType.CREATE_TIME, -1, value == null ? -1 : value.length, key, value,
                new RecordHeaders(headers.toArray()), java.util.Optional.empty());
    }
}

package io.reseal.pipeline.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The key events travel without a rotation id, keyed by cluster; fingerprints are read in the forms people paste. */
class KeyEventsTest {

    private static final String HEX = "ab".repeat(32);

    @Test
    void aKeyEventRoundTripsWithoutARotationIdKeyedByItsCluster() throws Exception {
        EventCodec codec = new EventCodec();
        RotationEvent<KeyApproved> event = new RotationEvent<>("approval-1", URI.create("/reseal/rotation-producer"),
                EventType.KEY_APPROVED, "dev-cluster", OffsetDateTime.now(ZoneOffset.UTC), null,
                new KeyApproved("dev-cluster", HEX, "infra"));
        ProducerRecord<String, byte[]> record = codec.toRecord("reseal.key.approved", event);
        assertThat(record.key()).isEqualTo("dev-cluster");
        RotationEvent<?> read = codec.fromRecord(new ConsumerRecord<>("reseal.key.approved", 0, 0, record.key(), record.value()));
        assertThat(read.rotationId()).isNull();
        assertThat(read.subject()).isEqualTo("dev-cluster");
        assertThat(read.dataAs(KeyApproved.class)).isEqualTo(event.data());
    }

    @Test
    void fingerprintsAreReadAsHexWithOrWithoutColonsAndAsBase64() {
        assertThat(CertificateFingerprint.parse(HEX)).isEqualTo(HEX);
        assertThat(CertificateFingerprint.parse("SHA256:" + HEX.toUpperCase().replaceAll("(..)(?!$)", "$1:"))).isEqualTo(HEX);
        assertThat(CertificateFingerprint.parse("SHA256:q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s")).isEqualTo(HEX);
        assertThatThrownBy(() -> CertificateFingerprint.parse("SHA256:abc")).hasMessageContaining("SHA256:<64 hex digits>");
        assertThatThrownBy(() -> CertificateFingerprint.parse("MD5:" + HEX)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.reseal.sealer.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.KeyApproved;
import io.reseal.pipeline.event.KeyChanged;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.SealerStage;
import io.reseal.sealer.TestControllers;
import io.reseal.sealer.crypto.SealingCertificate;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link KeyApprovals} makes of the key events it reads, and what it announces. */
class KeyApprovalsTest {

    private static final String URL = "https://certs.example.com/v1/cert.pem";
    private static final SealingCertificate KEY_0 = TestControllers.key(0).sealingCertificate();
    private static final SealingCertificate KEY_2 = TestControllers.key(2).sealingCertificate();

    private final List<RotationEvent<?>> topics = new ArrayList<>();
    private final List<RotationEvent<KeyChanged>> announced = new ArrayList<>();
    private int read;

    private final KeyApprovals approvals = new KeyApprovals(SealerStage.SOURCE, () -> {
        List<RotationEvent<?>> news = List.copyOf(topics.subList(read, topics.size()));
        read = topics.size();
        return news;
    }, event -> {
        announced.add(event);
        topics.add(event);
    }, Clock.systemUTC());

    @Test
    void theFirstCertificateIsTakenAndAnnouncedAnotherIsHeldOnceAndAnApprovalReleasesIt() throws Exception {
        assertThat(admit(KEY_0, null).fingerprint()).isEqualTo(KEY_0.fingerprint());
        assertThat(announced).extracting(e -> e.data().state()).containsExactly(KeyChanged.State.FIRST_USE);

        assertThat(admit(KEY_2, KEY_0.fingerprint()).fingerprint()).isEqualTo(KEY_0.fingerprint());
        assertThat(admit(KEY_2, KEY_0.fingerprint()).fingerprint()).isEqualTo(KEY_0.fingerprint());
        assertThat(announced).hasSize(2);
        assertThat(announced.get(1).data()).extracting(KeyChanged::state, KeyChanged::previousFingerprint, KeyChanged::fingerprint)
                .containsExactly(KeyChanged.State.HELD, KEY_0.fingerprint(), KEY_2.fingerprint());
        assertThat(announced.get(1).subject()).isEqualTo("dev-cluster");

        topics.add(approval("/reseal/rotation-producer", KEY_2.fingerprint()));
        assertThat(admit(KEY_2, KEY_0.fingerprint()).fingerprint()).isEqualTo(KEY_2.fingerprint());
    }

    @Test
    void aCertificateKnownOnlyFromTheSealedTopicIsPutOnRecordSoAChangeHeldAfterARestartCanUseIt() throws Exception {
        assertThat(admit(KEY_0, KEY_0.fingerprint()).fingerprint()).isEqualTo(KEY_0.fingerprint());
        assertThat(announced).extracting(e -> e.data().state(), e -> e.data().fingerprint())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(KeyChanged.State.FIRST_USE, KEY_0.fingerprint()));

        // a restarted sealer: only the topics (which now hold key 0's PEM) and the sealed topic's fingerprint
        KeyApprovals restarted = new KeyApprovals(SealerStage.SOURCE, () -> List.copyOf(topics), event -> { }, Clock.systemUTC());
        assertThat(restarted.admit("dev-cluster", URL, KEY_2, TestControllers.key(2).certificatePem(), KEY_0.fingerprint(),
                "certificate of cluster dev-cluster").fingerprint()).isEqualTo(KEY_0.fingerprint());
    }

    @Test
    void anApprovalOfAnotherWriterIsNotBelieved() throws Exception {
        admit(KEY_0, null);
        topics.add(approval("/hostile", KEY_2.fingerprint()));
        assertThat(admit(KEY_2, KEY_0.fingerprint()).fingerprint()).isEqualTo(KEY_0.fingerprint());
    }

    @Test
    void aFirstUseAnnouncementOfAnotherWriterIsNotBelieved() throws Exception {
        topics.add(new RotationEvent<>("forged", URI.create("/hostile"), EventType.KEY_CHANGED, "dev-cluster",
                OffsetDateTime.now(ZoneOffset.UTC), null, new KeyChanged("dev-cluster", KeyChanged.State.FIRST_USE, null,
                KEY_2.fingerprint(), URL, TestControllers.key(2).certificatePem())));
        // the sealer sealed with key 0 before (sealed topic): key 2 is held, not taken on the forged word
        assertThatThrownBy(() -> admit(KEY_2, KEY_0.fingerprint()))
                .isInstanceOf(PermanentStageException.class)
                .extracting(e -> ((PermanentStageException) e).code()).isEqualTo(ErrorCode.CERTIFICATE_HELD.wire());
    }

    @Test
    void aHeldCertificateWithoutTheOneBeforeAtHandSealsNothingAndSaysHowToApprove() {
        assertThatThrownBy(() -> admit(KEY_2, KEY_0.fingerprint()))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("./reseal approve-key dev-cluster " + KEY_2.fingerprint());
        assertThat(announced).extracting(e -> e.data().state()).containsExactly(KeyChanged.State.HELD);
    }

    private SealingCertificate admit(SealingCertificate fetched, String inUse) throws Exception {
        String pem = fetched == KEY_0 ? TestControllers.key(0).certificatePem() : TestControllers.key(2).certificatePem();
        return approvals.admit("dev-cluster", URL, fetched, pem, inUse, "certificate of cluster dev-cluster (" + URL + ")");
    }

    private static RotationEvent<KeyApproved> approval(String source, String fingerprint) {
        return new RotationEvent<>("approval-" + source, URI.create(source), EventType.KEY_APPROVED, "dev-cluster",
                OffsetDateTime.now(ZoneOffset.UTC), null, new KeyApproved("dev-cluster", fingerprint, "infra"));
    }
}

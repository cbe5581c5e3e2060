package io.reseal.notifier;

import static io.reseal.notifier.mail.SampleRotation.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.notifier.mail.AdoptionMailComposer;
import io.reseal.notifier.mail.Mailer;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationRelinkNotified;
import io.reseal.pipeline.event.RotationRelinked;
import io.reseal.pipeline.stage.PermanentStageException;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relink-notifier against GreenMail: the fresh link goes to everyone the server takes, a refused address is a
 * failed record beside the {@code relink-notified} event, handling the same relink again mails nobody, and a link
 * that expired on the way is {@code link-expired}.
 */
class RelinkNotifierStageIT {

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String RELINK_ID = RelinkData.relinkId("r-42", "team\nkey-1");

    private Vertx vertx;
    private EmbeddedSmtp smtp;
    private Mailer mailer;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        smtp = new EmbeddedSmtp();
        smtp.start();
        mailer = new Mailer(vertx, new NotifierConfig(smtp.host(), smtp.port(), NotifierConfig.TlsMode.NONE, null, null,
                "reseal@example.com", Duration.ofSeconds(10)));
    }

    @AfterEach
    void stop() throws Exception {
        mailer.close();
        smtp.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void theFreshLinkIsMailedOnceAndARefusedRecipientIsReportedBesideIt() throws Exception {
        smtp.rejectRecipient("gone@example.com", 550, "5.1.1 mailbox unavailable");
        RelinkNotifierStage stage = new RelinkNotifierStage(new AdoptionMailComposer(), mailer, new DeliveryProgress(), CLOCK);
        RotationEvent<RotationRelinked> relinked = relinked(NOW.plusSeconds(600),
                List.of("team@example.com", "gone@example.com"));

        List<RotationEvent<?>> out = stage.handle(relinked);
        List<RotationEvent<?>> again = stage.handle(relinked);

        assertThat(out).hasSize(2);
        assertThat(out.get(0).id()).isEqualTo(RELINK_ID + ".relink_notified");
        assertThat(out.get(0).dataAs(RotationRelinkNotified.class).recipients()).containsExactly("team@example.com");
        assertThat(stage.doneKey(out.get(0))).isEqualTo(RELINK_ID);
        RotationFailed refused = out.get(1).dataAs(RotationFailed.class);
        assertThat(refused.stage()).isEqualTo("relink-notifier");
        assertThat(refused.errorCode()).isEqualTo("recipient-rejected");
        assertThat(refused.message()).contains("gone@example.com");
        assertThat(again).isEqualTo(out);
        assertThat(smtp.receivedMessages()).hasSize(1);
        assertThat(smtp.receivedMessages().get(0).getMessageID()).isEqualTo("<relink-" + RELINK_ID + "@reseal>");
    }

    @Test
    void aLinkThatExpiredOnTheWayIsNotMailed() {
        RelinkNotifierStage stage = new RelinkNotifierStage(new AdoptionMailComposer(), mailer, new DeliveryProgress(), CLOCK);

        assertThatThrownBy(() -> stage.handle(relinked(NOW, List.of("team@example.com"))))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("./reseal relink r-42")
                .extracting(e -> ((PermanentStageException) e).code()).isEqualTo("link-expired");
        assertThat(smtp.receivedMessages()).isEmpty();
    }

    private static RotationEvent<RotationRelinked> relinked(Instant expiresAt, List<String> recipients) {
        return RelinkData.event(EventType.RELINKED, "/reseal/packager-worker", NOW.minusSeconds(5).atOffset(ZoneOffset.UTC),
                new RotationRelinked("r-42", "financial-ml", RELINK_ID, "team", "a.tar.gz", 10, "ab".repeat(32),
                        "http://s3/a.tar.gz?X-Amz-Signature=f00", expiresAt, recipients));
    }
}

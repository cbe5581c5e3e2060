package io.reseal.notifier;

import static io.reseal.notifier.mail.SampleRotation.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.embedded.EmbeddedSmtp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.notifier.mail.Mailer;
import io.reseal.notifier.mail.RotationMailComposer;
import io.reseal.notifier.mail.SampleRotation;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.vertx.core.Vertx;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifierStageIT {

    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static Vertx vertx;
    private static RotationMailComposer composer;

    private EmbeddedSmtp smtp;
    private Mailer mailer;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
        composer = new RotationMailComposer();
    }

    @AfterAll
    static void stopVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void newServerAndMailer() {
        smtp = new EmbeddedSmtp();
        smtp.start();
        mailer = new Mailer(vertx, new NotifierConfig(smtp.host(), smtp.port(), NotifierConfig.TlsMode.NONE, null, null,
                "reseal@example.com", Duration.ofSeconds(10)));
    }

    @AfterEach
    void closeMailerAndServer() {
        mailer.close();
        smtp.close();
    }

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    private NotifierStage stage(DeliveryProgress progress) {
        return new NotifierStage(composer, mailer, progress, CLOCK, metrics);
    }

    private static RotationEvent<RotationPackaged> event(RotationPackaged data) {
        return RotationEvent.forRotation(data.rotationId(), EventType.PACKAGED, "/reseal/packager-worker", data.workflow(),
                NOW.minusSeconds(60).atOffset(ZoneOffset.UTC), data);
    }

    @Test
    void mailsEveryRecipientOnceAMultipartMessageWithTheLinkAndCommands() throws Exception {
        List<RotationEvent<?>> out = stage(new DeliveryProgress()).handle(event(SampleRotation.packaged()));

        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(EventType.NOTIFIED);
            assertThat(e.id()).isEqualTo("r-42.notified");
            assertThat(e.source()).hasToString("/reseal/notifier");
            assertThat(e.subject()).isEqualTo("financial-ml");
            assertThat(e.rotationId()).isEqualTo("r-42");
            assertThat(e.time()).isEqualTo(OffsetDateTime.of(2025, 3, 14, 9, 0, 0, 0, ZoneOffset.UTC));
            assertThat(e.dataAs(RotationNotified.class)).isEqualTo(new RotationNotified("r-42", "financial-ml",
                    List.of("ml-infra@example.com", "Team.Lead@example.com", "oncall@example.com"),
                    "<rotation-r-42@reseal>", NOW));
        });

        List<MimeMessage> received = smtp.receivedMessages();
        assertThat(received).hasSize(3); // GreenMail stores one copy per recipient
        assertThat(metrics.get("reseal.emails.sent").counter().count()).isEqualTo(1.0);
        assertThat(metrics.get("reseal.email.recipients").tag("outcome", "delivered").counter().count()).isEqualTo(3.0);
        MimeMessage message = received.get(0);
        assertThat(message.getSubject()).isEqualTo("[Reseal] New sealed secrets for financial-ml (dev, production)");
        assertThat(message.getMessageID()).isEqualTo("<rotation-r-42@reseal>");
        assertThat(message.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(Arrays.stream(message.getFrom()).map(Address::toString)).containsExactly("reseal@example.com");
        assertThat(Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Address::toString))
                .containsExactly("ml-infra@example.com", "Team.Lead@example.com", "oncall@example.com");
        assertThat(message.getContentType()).startsWith("multipart/alternative");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
        for (int i = 0; i < 2; i++) {
            assertThat((String) parts.getBodyPart(i).getContent())
                    .contains("2025-03-21T09:00:00Z", SampleRotation.SHA256, "SHA256:ed25519:4f2c9a71d0")
                    .contains("./reseal verify financial-ml-ml-secrets-20250314.tar.gz --pubkey package-signing.pub.pem")
                    .contains("kubectl apply -k production/", "MLFLOW_TRACKING_PASSWORD, S3_SECRET_KEY");
        }
        assertThat((String) parts.getBodyPart(0).getContent()).contains(SampleRotation.URL);
    }

    @Test
    void theSameEventTwiceMailsOnceAndReturnsTheSameEvents() throws Exception {
        NotifierStage stage = stage(new DeliveryProgress());

        List<RotationEvent<?>> first = stage.handle(event(SampleRotation.packaged()));
        List<RotationEvent<?>> second = stage.handle(event(SampleRotation.packaged()));

        assertThat(second).isEqualTo(first);
        assertThat(smtp.receivedMessages()).hasSize(3);
    }

    @Test
    void anUnreachableServerIsRetriableAndTheRetryMailsOnce() throws Exception {
        NotifierStage stage = stage(new DeliveryProgress());
        smtp.stop();
        try {
            assertThatThrownBy(() -> stage.handle(event(SampleRotation.packaged())))
                    .isInstanceOfSatisfying(RetriableStageException.class,
                            e -> assertThat(e.code()).isEqualTo("smtp-unavailable"))
                    .hasMessageContaining("127.0.0.1:" + smtp.port());
        } finally {
            smtp.start();
        }

        List<RotationEvent<?>> out = stage.handle(event(SampleRotation.packaged()));

        assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.NOTIFIED);
        assertThat(smtp.receivedMessages()).hasSize(3);
    }

    @Test
    void aRefusedRecipientDoesNotStopTheOthersAndIsReportedAsFailed() throws Exception {
        smtp.rejectRecipient("team.lead@example.com", 550, "5.1.1 no such user");

        List<RotationEvent<?>> out = stage(new DeliveryProgress()).handle(event(SampleRotation.packaged()));

        assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.NOTIFIED, EventType.FAILED);
        assertThat(out.get(0).dataAs(RotationNotified.class).recipients())
                .containsExactly("ml-infra@example.com", "oncall@example.com");
        RotationFailed failed = out.get(1).dataAs(RotationFailed.class);
        assertThat(failed.stage()).isEqualTo("notifier");
        assertThat(failed.errorCode()).isEqualTo("recipient-rejected");
        assertThat(failed.rotationId()).isEqualTo("r-42");
        assertThat(failed.message()).contains("Team.Lead@example.com (550 5.1.1 no such user)")
                .doesNotContain("oncall@example.com (");
        assertThat(smtp.receivedMessages()).extracting(m -> Arrays.stream(m.getAllRecipients()).map(Address::toString).toList())
                .containsExactlyInAnyOrder(List.of("ml-infra@example.com"), List.of("oncall@example.com"));
    }

    @Test
    void everyRecipientRefusedIsPermanent() {
        RotationPackaged data = SampleRotation.with("r-7", "wf", "gone@example.com", "x", List.of(), NOW.plusSeconds(3600));
        smtp.rejectRecipient("gone@example.com", 550, "5.1.1 mailbox unavailable");

        assertThatThrownBy(() -> stage(new DeliveryProgress()).handle(event(data)))
                .isInstanceOfSatisfying(PermanentStageException.class,
                        e -> assertThat(e.code()).isEqualTo("recipient-rejected"))
                .hasMessageContaining("gone@example.com (550 5.1.1 mailbox unavailable)");
        assertThat(smtp.receivedMessages()).isEmpty();
    }

    @Test
    void aRecipientRefusedWith4xxIsReportedAndTheOthersStillGetTheMail() throws Exception {
        smtp.rejectRecipient("team.lead@example.com", 450, "4.2.1 mailbox busy");

        List<RotationEvent<?>> out = stage(new DeliveryProgress()).handle(event(SampleRotation.packaged()));

        assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.NOTIFIED, EventType.FAILED);
        assertThat(out.get(0).dataAs(RotationNotified.class).recipients())
                .containsExactly("ml-infra@example.com", "oncall@example.com");
        RotationFailed failed = out.get(1).dataAs(RotationFailed.class);
        assertThat(failed.errorCode()).isEqualTo("recipient-rejected");
        assertThat(failed.message()).contains("Team.Lead@example.com (450 4.2.1 mailbox busy)")
                .doesNotContain("oncall@example.com (");
        assertThat(smtp.receivedMessages()).extracting(m -> m.getAllRecipients()[0].toString())
                .containsExactlyInAnyOrder("ml-infra@example.com", "oncall@example.com");
    }

    @Test
    void theOnlyRecipientRefusedWith4xxIsRetriableAndTheRetryMailsOnce() throws Exception {
        RotationPackaged data = SampleRotation.with("r-7", "wf", "oncall@example.com", "x", List.of(), NOW.plusSeconds(3600));
        smtp.rejectRecipient("oncall@example.com", 451, "4.3.0 try again later");
        NotifierStage stage = stage(new DeliveryProgress());

        assertThatThrownBy(() -> stage.handle(event(data)))
                .isInstanceOfSatisfying(RetriableStageException.class,
                        e -> assertThat(e.code()).isEqualTo("smtp-deferred"))
                .hasMessageContaining("451 4.3.0 try again later");
        smtp.clearRejections();

        List<RotationEvent<?>> out = stage.handle(event(data));

        assertThat(out.get(0).dataAs(RotationNotified.class).recipients()).containsExactly("oncall@example.com");
        assertThat(smtp.receivedMessages()).hasSize(1);
    }

    @Test
    void aServerClosingTheSessionAfterSomeRecipientsGotTheMailOnlyRetriesTheOthers() throws Exception {
        // the first transaction fails on Team.Lead (5xx), so the mailer goes one by one; at oncall the server
        // answers 421 (service closing: the server's problem, not the recipient's), which is retried
        smtp.rejectRecipient("team.lead@example.com", 550, "5.1.1 no such user");
        smtp.rejectRecipient("oncall@example.com", 421, "4.3.2 service shutting down");
        NotifierStage stage = stage(new DeliveryProgress());

        assertThatThrownBy(() -> stage.handle(event(SampleRotation.packaged())))
                .isInstanceOf(RetriableStageException.class)
                .hasMessageContaining("already delivered to 1 recipient(s)");
        assertThat(smtp.receivedMessages()).hasSize(1);
        smtp.clearRejections();
        smtp.rejectRecipient("team.lead@example.com", 550, "5.1.1 no such user");

        List<RotationEvent<?>> out = stage.handle(event(SampleRotation.packaged()));

        assertThat(out.get(0).dataAs(RotationNotified.class).recipients())
                .containsExactly("ml-infra@example.com", "oncall@example.com");
        assertThat(smtp.receivedMessages()).extracting(m -> m.getAllRecipients()[0].toString())
                .containsExactlyInAnyOrder("ml-infra@example.com", "oncall@example.com");
    }

    @Test
    void anInjectedRequestorIsNotMailedAndNoHeaderIsInjected() throws Exception {
        RotationPackaged data = SampleRotation.with("r-9", "wf\r\nBcc: evil@example.org", "boss@example.com\r\nBcc: evil@example.org",
                "urgent\r\nX-Injected: yes", List.of("ok@example.com"), NOW.plusSeconds(3600));

        List<RotationEvent<?>> out = stage(new DeliveryProgress()).handle(event(data));

        assertThat(out).extracting(RotationEvent::type).containsExactly(EventType.NOTIFIED, EventType.FAILED);
        assertThat(out.get(1).dataAs(RotationFailed.class).message())
                .contains("'boss@example.com\\r\\nBcc: evil@example.org' is not a usable e-mail address: it contains a line break");
        assertThat(smtp.receivedMessages()).singleElement().satisfies(m -> {
            assertThat(Arrays.stream(m.getAllRecipients()).map(Address::toString)).containsExactly("ok@example.com");
            assertThat(m.getHeader("Bcc")).isNull();
            assertThat(m.getHeader("X-Injected")).isNull();
            assertThat(m.getSubject()).isEqualTo("[Reseal] New sealed secrets for wf  Bcc: evil@example.org (dev, production)");
        });
    }

    @Test
    void anExpiredLinkIsPermanentAndNotMailed() {
        RotationPackaged data = SampleRotation.with("r-8", "wf", "a@example.com", "x", List.of(), NOW.minusSeconds(1));

        assertThatThrownBy(() -> stage(new DeliveryProgress()).handle(event(data)))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("link-expired"))
                .hasMessageContaining("package the rotation again");
        assertThat(smtp.receivedMessages()).isEmpty();
    }

    @Test
    void theHtmlPartShowsMarkupFromTheEventAsText() throws Exception {
        RotationPackaged data = SampleRotation.with("r-5", "wf", "a@example.com", "<script>alert(1)</script>", List.of(),
                NOW.plusSeconds(3600));

        stage(new DeliveryProgress()).handle(event(data));

        MimeMultipart parts = (MimeMultipart) smtp.receivedMessages().get(0).getContent();
        assertThat((String) parts.getBodyPart(1).getContent())
                .doesNotContain("<script>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
}

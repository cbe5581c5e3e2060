package io.reseal.notifier.mail;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.pipeline.event.RotationRelinked;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdoptionMailComposerTest {

    private final AdoptionMailComposer composer = new AdoptionMailComposer();
    private static final Instant AT = Instant.parse("2026-12-05T09:00:00Z");

    @Test
    void theReminderSaysWhatToApplyByWhenAndHowToGetAFreshLink() {
        // when
        RotationMail mail = composer.notApplied("r1", "financial-ml", "production", "financial-ml", "prod-eu", false, AT,
                List.of("team@example.com", "Team@Example.com", "not an address"));

        // then
        assertThat(mail.subject()).isEqualTo("[reseal] financial-ml: apply the new secrets in financial-ml on prod-eu before "
                + "2026-12-05T09:00:00Z");
        assertThat(mail.messageId()).isEqualTo("<not-applied-r1-prod-eu-financial-ml@reseal>");
        assertThat(mail.recipients()).hasSize(1);
        assertThat(mail.unusableRecipients()).hasSize(1);
        assertThat(mail.text()).contains("Deadline:   2026-12-05T09:00:00Z: then the previous credential is revoked",
                "kubectl apply -k production/", "./reseal relink r1").doesNotContain("Link:");
        assertThat(mail.html()).contains("<code>kubectl apply -k production/</code>");
    }

    @Test
    void aLinkThatExpiresFirstIsWhatTheReminderWarnsOf() {
        RotationMail mail = composer.notApplied("r1", "financial-ml", "dev", "financial-ml-dev", "prod-eu", true, AT,
                List.of("team@example.com"));

        assertThat(mail.subject()).endsWith("before the link expires at 2026-12-05T09:00:00Z");
        assertThat(mail.text()).contains("Link:       the download link of the package expires at 2026-12-05T09:00:00Z")
                .doesNotContain("Deadline:");
    }

    @Test
    void theDecryptionFailureMailKeepsItsStableIdAfterTheSharedRecipientCheck() {
        RotationMail mail = composer.decryptionFailed("r1", "financial-ml", "dev", "financial-ml-dev", "prod-eu",
                "no key could decrypt secret (K)", List.of("team@example.com"));

        assertThat(mail.messageId()).isEqualTo("<decryption-failed-r1-prod-eu-financial-ml-dev@reseal>");
        assertThat(mail.text()).contains("Controller: no key could decrypt secret (K)");
    }

    @Test
    void theRelinkMailGivesTheFreshLinkWithTheSameChecksumToEveryoneOnceAndEscapesItInHtml() {
        RotationRelinked relink = new RotationRelinked("r1", "financial-ml", "r1.relink.abc", "team",
                "financial-ml-r1.tar.gz", 10, "ab".repeat(32), "http://s3/a.tar.gz?X-Amz-Expires=600&X-Amz-Signature=f00",
                AT, List.of("team@example.com", "oncall@example.com", "TEAM@example.com"));

        RotationMail mail = composer.relinked(relink);

        assertThat(mail.subject()).isEqualTo("[reseal] financial-ml: a fresh download link for rotation r1");
        assertThat(mail.messageId()).isEqualTo("<relink-r1.relink.abc@reseal>");
        assertThat(mail.recipients()).extracting(EmailAddress::value)
                .containsExactly("team@example.com", "oncall@example.com");
        assertThat(mail.text()).contains("Download:   http://s3/a.tar.gz?X-Amz-Expires=600&X-Amz-Signature=f00",
                "Expires:    2026-12-05T09:00:00Z", "SHA-256:    " + "ab".repeat(32), "./reseal relink r1");
        assertThat(mail.html()).contains("href=\"http://s3/a.tar.gz?X-Amz-Expires&#61;600&amp;X-Amz-Signature&#61;f00\"");
    }
}

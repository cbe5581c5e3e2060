package io.reseal.notifier.mail;

import static io.reseal.notifier.mail.SampleRotation.NOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.stage.PermanentStageException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationMailComposerTest {

    private final RotationMailComposer composer = new RotationMailComposer();

    @Test
    void subjectNamesWorkflowAndEnvironments() throws Exception {
        RotationMail mail = composer.compose(SampleRotation.packaged(), NOW);

        assertThat(mail.subject()).isEqualTo("[Reseal] New sealed secrets for financial-ml (dev, production)");
        assertThat(mail.messageId()).isEqualTo("<rotation-r-42@reseal>");
    }

    @Test
    void bothPartsCarryLinkExpiryChecksumsCommandsAndNames() throws Exception {
        RotationMail mail = composer.compose(SampleRotation.packaged(), NOW);

        for (String part : List.of(mail.text(), mail.html())) {
            assertThat(part)
                    .contains("financial-ml", "r-42", "ad-hoc", "quarterly rotation")
                    .contains("2025-03-21T09:00:00Z", "Friday 21 March 2025, 09:00 UTC", "in 7 days")
                    .contains(SampleRotation.SHA256, "SHA256:ed25519:4f2c9a71d0")
                    .contains("financial-ml-dev", "kind-dev", "prod-eu-1")
                    .contains("ml-platform", "ghcr", "MLFLOW_TRACKING_PASSWORD, S3_SECRET_KEY", ".dockerconfigjson")
                    .contains("./reseal verify financial-ml-ml-secrets-20250314.tar.gz --pubkey package-signing.pub.pem")
                    .contains("openssl pkeyutl -verify -pubin -inkey package-signing.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig")
                    .contains("tar xzf financial-ml-ml-secrets-20250314.tar.gz")
                    .contains("kubectl apply -k dev/", "kubectl apply -k production/");
        }
        assertThat(mail.text())
                .contains(SampleRotation.URL)
                .contains("curl -fo financial-ml-ml-secrets-20250314.tar.gz '" + SampleRotation.URL + "'");
        // the HTML part escapes the presigned query string ('&', '=') and the quotes around it
        String escapedUrl = SampleRotation.URL.replace("&", "&amp;").replace("=", "&#61;");
        assertThat(mail.html())
                .contains("href=\"" + escapedUrl + "\"")
                .contains("curl -fo financial-ml-ml-secrets-20250314.tar.gz &#39;" + escapedUrl + "&#39;");
    }

    @Test
    void recipientsAreTheRequestorThenTheOthersWithoutCaseInsensitiveDuplicates() throws Exception {
        RotationMail mail = composer.compose(SampleRotation.packaged(), NOW);

        assertThat(mail.recipients()).extracting(EmailAddress::value)
                .containsExactly("ml-infra@example.com", "Team.Lead@example.com", "oncall@example.com");
        assertThat(mail.unusableRecipients()).isEmpty();
    }

    @Test
    void unusableAddressesAreLeftOutWithTheReason() throws Exception {
        RotationPackaged event = SampleRotation.with("r-1", "wf", "ml-infra@example.com\r\nBcc: evil@example.org", "x",
                List.of("a@example.com, b@example.com", "Eve <eve@example.org>", "not-an-address", "ok@example.com"),
                NOW.plus(Duration.ofDays(1)));

        RotationMail mail = composer.compose(event, NOW);

        assertThat(mail.recipients()).extracting(EmailAddress::value).containsExactly("ok@example.com");
        assertThat(mail.unusableRecipients()).containsExactly(
                "'ml-infra@example.com\\r\\nBcc: evil@example.org' is not a usable e-mail address: it contains a line break",
                "'a@example.com, b@example.com' is not a usable e-mail address: it contains a list separator (one address per entry)",
                "'Eve <eve@example.org>' is not a usable e-mail address: it contains an angle bracket (give the bare address, without a display name)",
                "'not-an-address' is not a usable e-mail address: it is not of the form local@domain");
    }

    @Test
    void noUsableRecipientIsPermanent() {
        RotationPackaged event = SampleRotation.with("r-1", "wf", "nobody", "x", List.of(), NOW.plus(Duration.ofDays(1)));

        assertThatThrownBy(() -> composer.compose(event, NOW))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("'nobody' is not a usable e-mail address")
                .extracting(e -> ((PermanentStageException) e).code()).isEqualTo("no-valid-recipient");
    }

    @Test
    void lineBreaksInEventFieldsCannotStartHeadersOrLines() throws Exception {
        RotationPackaged event = SampleRotation.with("r-1", "wf\r\nBcc: evil@example.org", "ml-infra@example.com",
                "urgent\r\nX-Injected: yes\u2028line", List.of(), NOW.plus(Duration.ofDays(1)));

        RotationMail mail = composer.compose(event, NOW);

        assertThat(mail.subject()).isEqualTo("[Reseal] New sealed secrets for wf  Bcc: evil@example.org (dev, production)");
        assertThat(mail.text()).contains("Reason:     urgent  X-Injected: yes line")
                .doesNotContain("\nBcc:", "\nX-Injected:", "\r");
        assertThat(mail.html()).doesNotContain("\nBcc:", "\nX-Injected:", "\r");
    }

    @Test
    void htmlPartEscapesEventTextWhileTextPartKeepsIt() throws Exception {
        RotationPackaged event = SampleRotation.with("r-1", "wf", "ml-infra@example.com",
                "<script>alert('x')</script> & more", List.of(), NOW.plus(Duration.ofDays(1)));

        RotationMail mail = composer.compose(event, NOW);

        assertThat(mail.html()).doesNotContain("<script>").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more");
        assertThat(mail.text()).contains("<script>alert('x')</script> & more");
    }

    @Test
    void shellArgumentsAreQuotedWhenNeeded() {
        assertThat(RotationMailComposer.shellWord("dev/")).isEqualTo("dev/");
        assertThat(RotationMailComposer.shellWord("my env/")).isEqualTo("'my env/'");
        assertThat(RotationMailComposer.shellWord("a'b;rm -rf ~")).isEqualTo("'a'\\''b;rm -rf ~'");
    }

    @Test
    void aLinkThatIsNotHttpIsRefused() {
        RotationPackaged good = SampleRotation.packaged();
        RotationPackaged event = new RotationPackaged(good.rotationId(), good.workflow(), good.requestor(), good.trigger(),
                good.reason(), good.requestedAt(), good.bucket(), good.objectKey(), good.archiveName(), good.size(),
                good.sha256(), "javascript:alert(1)", good.expiresAt(), good.signerKeyFingerprint(), good.recipients(),
                good.environments());

        assertThatThrownBy(() -> composer.compose(event, NOW))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("downloadUrl must be an absolute http(s) URL");
    }

    @Test
    void remainingValidityIsWordedToTheMinute() {
        assertThat(RotationMailComposer.remaining(NOW, NOW.plus(Duration.ofHours(30)))).isEqualTo("in 1 day 6 hours");
        assertThat(RotationMailComposer.remaining(NOW, NOW.plus(Duration.ofMinutes(90)))).isEqualTo("in 1 hour 30 minutes");
        assertThat(RotationMailComposer.remaining(NOW, NOW.plusSeconds(20))).isEqualTo("in 1 minute");
    }

    @Test
    void aRotationInGitSaysItIsAlreadyInTheRepositoryAtItsCommitAndStillLinksTheArchive() throws Exception {
        String commit = "3f1e2d4c5b6a79881726354453627181920a1b2c";
        RotationMail mail = composer.compose(withGit(new RotationPackaged.GitDelivery(
                "https://git.example.com/financial/deploy.git", "main", commit, null, null)), NOW);

        for (String body : List.of(mail.text(), mail.html())) {
            assertThat(body).contains("Already in your repository at", commit, "https://git.example.com/financial/deploy.git",
                    "main", SampleRotation.URL.substring(0, 40));
        }
    }

    @Test
    void aRefusedCommitIsSaidWithTheReasonAndTheArchiveRemainsTheWay() throws Exception {
        RotationMail mail = composer.compose(withGit(new RotationPackaged.GitDelivery(
                "https://git.example.com/financial/deploy.git", "main", null, null,
                "push to main refused: protected branch")), NOW);

        for (String body : List.of(mail.text(), mail.html())) {
            assertThat(body).contains("Not in your repository", "push to main refused: protected branch",
                    SampleRotation.URL.substring(0, 40)).doesNotContainIgnoringCase("already in your repository");
        }
    }

    @Test
    void aRotationWithoutGitSaysNothingAboutARepository() throws Exception {
        RotationMail mail = composer.compose(SampleRotation.packaged(), NOW);

        assertThat(mail.text()).doesNotContainIgnoringCase("repository");
        assertThat(mail.html()).doesNotContainIgnoringCase("repository");
    }

    private static RotationPackaged withGit(RotationPackaged.GitDelivery git) {
        RotationPackaged p = SampleRotation.packaged();
        return new RotationPackaged(p.rotationId(), p.workflow(), p.requestor(), p.trigger(), p.reason(), p.requestedAt(),
                p.bucket(), p.objectKey(), p.archiveName(), p.size(), p.sha256(), p.downloadUrl(), p.expiresAt(),
                p.signerKeyFingerprint(), p.recipients(), p.environments(), git);
    }
}

package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

class EmbeddedSmtpIT {

    @TempDir
    static Path mailDir;

    private static EmbeddedSmtp smtp;

    @BeforeAll
    static void startServer() {
        smtp = new EmbeddedSmtp(0, mailDir);
        smtp.start();
    }

    @AfterAll
    static void closeServer() {
        smtp.close();
    }

    @Test
    void multipartMessageIsReceivedAndSavedAsEmlAndServerRestartsOnSamePort() throws Exception {
        int before = smtp.receivedMessages().size();
        send("Your rotation package", "platform@example.com");

        List<MimeMessage> received = smtp.waitForMessages(before + 1, Duration.ofSeconds(10));
        MimeMessage message = received.get(before);
        assertThat(message.getSubject()).isEqualTo("Your rotation package");
        assertThat(message.getContent()).isInstanceOf(Multipart.class);
        Multipart alternative = (Multipart) message.getContent();
        assertThat(alternative.getCount()).isEqualTo(2);
        assertThat(alternative.getBodyPart(1).getContent().toString()).contains("<b>download</b>");

        Path eml = savedFileFor("platform@example.com");
        try (InputStream in = Files.newInputStream(eml)) {
            MimeMessage saved = new MimeMessage(Session.getInstance(new Properties()), in);
            assertThat(saved.getSubject()).isEqualTo("Your rotation package");
            assertThat(((Multipart) saved.getContent()).getCount()).isEqualTo(2);
        }

        int port = smtp.port();
        smtp.stop();
        assertThatThrownBy(() -> send("while down", "nobody@example.com")).isInstanceOf(MessagingException.class);
        smtp.start();
        send("after restart", "platform@example.com");

        assertThat(smtp.port()).isEqualTo(port);
        assertThat(smtp.waitForMessages(1, Duration.ofSeconds(10)))
                .extracting(MimeMessage::getSubject).containsExactly("after restart");
        assertThat(eml).exists();
    }

    @Test
    void oneCopyIsStoredAndSavedPerRecipient() throws Exception {
        int before = smtp.receivedMessages().size();

        send("two recipients", "a@example.com", "b@example.com");

        assertThat(smtp.waitForMessages(before + 2, Duration.ofSeconds(10)).subList(before, before + 2))
                .extracting(MimeMessage::getSubject).containsOnly("two recipients");
        assertThat(savedFileFor("a@example.com")).exists();
        assertThat(savedFileFor("b@example.com")).exists();
    }

    @Test
    void waitingForMoreMessagesThanArriveFailsNamingTheCount() {
        int received = smtp.receivedMessages().size();

        assertThatThrownBy(() -> smtp.waitForMessages(received + 1, Duration.ofMillis(200)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received " + received);
    }

    @Test
    void aRejectedRecipientGetsTheReplyAndNoCopyEvenAfterARestartUntilRejectionsAreCleared() throws Exception {
        smtp.rejectRecipient("Gone@Example.com", 550, "5.1.1 no such user");
        smtp.stop();
        smtp.start();
        try {
            assertThatThrownBy(() -> send("partly refused", "gone@example.com", "kept@example.com"))
                    .isInstanceOfSatisfying(SendFailedException.class, e -> {
                        assertThat(e.getInvalidAddresses()).extracting(Address::toString)
                                .containsExactly("gone@example.com");
                        assertThat(e.getNextException()).hasMessageContaining("550 5.1.1 no such user");
                    });
            assertThat(smtp.waitForMessages(1, Duration.ofSeconds(10))).hasSize(1);
            assertThat(savedFileFor("kept@example.com")).exists();

            smtp.clearRejections();
            send("accepted again", "gone@example.com");

            assertThat(smtp.waitForMessages(2, Duration.ofSeconds(10)).get(1).getSubject()).isEqualTo("accepted again");
        } finally {
            smtp.clearRejections();
        }
    }

    @Test
    void aRejectionIsA4xxOr5xxReplyOnOneLine() {
        assertThatThrownBy(() -> smtp.rejectRecipient("a@example.com", 250, "OK"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4xx");
        assertThatThrownBy(() -> smtp.rejectRecipient("a@example.com", 550, "no\r\n250 OK"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one non-blank line");
    }

    private static void send(String subject, String... recipients) throws MessagingException {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", smtp.host());
        properties.setProperty("mail.smtp.port", Integer.toString(smtp.port()));
        properties.setProperty("mail.smtp.connectiontimeout", "2000");
        properties.setProperty("mail.smtp.sendpartial", "true");
        MimeMessage message = new MimeMessage(Session.getInstance(properties));
        message.setFrom(new InternetAddress("reseal@example.com"));
        for (String recipient : recipients) {
            message.addRecipient(Message.RecipientType.TO, new InternetAddress(recipient));
        }
        message.setSubject(subject);
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Your package is ready: download it.", "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Your package is ready: <b>download</b> it.</p>", "text/html; charset=UTF-8");
        message.setContent(new MimeMultipart("alternative", text, html));
        Transport.send(message);
    }

    private static Path savedFileFor(String recipient) throws Exception {
        try (Stream<Path> files = Files.list(mailDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-" + recipient + ".eml"))
                    .findFirst().orElseThrow(() -> new AssertionError("no .eml saved for " + recipient));
        }
    }
}

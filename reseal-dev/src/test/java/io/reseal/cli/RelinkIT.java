package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.cli.local.LocalStack;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.producer.ProducerConfig.ApiToken;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./reseal relink} end to end on the local stack's real servers (Kafka, s3proxy, GreenMail), with download
 * links that live 10 seconds: a delivered rotation's link expires, a relink through the CLI mails a new link that
 * downloads the same archive; a retried request (same Idempotency-Key) is mailed once; unknown rotations, wrong
 * tokens and another workflow's token are refused; a relink of a deleted archive ends as {@code archive-gone}, with
 * no mail and the rotation still delivered.
 */
class RelinkIT {

    private static final String TOKEN = "relink-it-token-of-the-test";
    private static final String CREDIT_TOKEN = "relink-it-credit-token";
    private static final Pattern LINK = Pattern.compile("(http://\\S+X-Amz-Signature=[0-9a-f]+)");
    private static final List<String> RECIPIENTS = List.of("financial-team@example.com", "ml-oncall@example.com");

    @TempDir
    static Path data;
    private static EmbeddedSmtp smtp;
    private static LocalStack stack;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        smtp = new EmbeddedSmtp();
        smtp.start();
        Path config = Files.writeString(data.resolve("reseal.yaml"), """
                clusters:
                  - name: local
                    certificate: {file: %1$s/sealing-key/tls.crt}
                bundles:
                  - name: ml-platform
                    keys:
                      AWS_DEFAULT_REGION: {literal: us-east-1}
                workflows:
                  - name: financial-ml
                    requestor: financial-team@example.com
                    bundles: [ml-platform]
                    environments:
                      dev: {contacts: [ml-oncall@example.com]}
                  - name: credit-ml
                    requestor: credit-team@example.com
                    bundles: [ml-platform]
                    environments:
                      dev: {}
                api:
                  tokens:
                    - {name: credit, sha256: %2$s, workflows: [credit-ml]}
                s3:
                  bucket: reseal-packages
                  linkExpiry: PT10S
                  signingKey: %1$s/signing/package-signing.pem
                smtp:
                  from: reseal@localhost
                """.formatted(data, ApiToken.sha256Hex(CREDIT_TOKEN)));
        Map<String, String> environment = Map.of("RESEAL_CONFIG", config.toString(), "RESEAL_API_TOKEN", TOKEN,
                "SMTP_HOST", smtp.host(), "SMTP_PORT", Integer.toString(smtp.port()));
        stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null, environment::get, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
        smtp.close();
    }

    @Test
    void anExpiredLinkIsRelinkedOncePerRequestToTheSameArchiveAndADeletedArchiveIsRefused() throws Exception {
        // given: a delivered rotation, its archive downloaded through the first mail's link
        String api = stack.apiUrl().toString();
        CommandRun rotate = CommandRun.of("rotate", "financial-ml", "dev", "financial-team@example.com",
                "--wait", "--timeout", "PT2M", "--api", api, "--token", TOKEN);
        assertThat(rotate.exitCode()).as(rotate.err()).isZero();
        String rotationId = rotate.out().lines().findFirst().orElseThrow();
        String firstLink = linkOf(smtp.waitForMessages(2, Duration.ofSeconds(30)).get(0));
        byte[] archive = download(firstLink);
        RotationPackaged packaged = events(EventType.PACKAGED).get(0).dataAs(RotationPackaged.class);
        assertThat(sha256(archive)).isEqualTo(packaged.sha256());

        // when: the link expires
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(packaged.expiresAt().plusSeconds(1)));
        assertThat(status(firstLink)).as("the first link, expired").isEqualTo(403);

        // and a team relinks through the CLI
        CommandRun relink = CommandRun.of("relink", rotationId, "--api", api, "--token", TOKEN);

        // then: each recipient of the first mail gets one new mail whose link downloads the same archive
        assertThat(relink.exitCode()).as(relink.err()).isZero();
        List<MimeMessage> relinkMails = awaitRelinkMails(2);
        assertThat(relinkMails).hasSize(2);
        assertThat(relinkMails.get(0).getAllRecipients()).extracting(Object::toString)
                .containsExactlyInAnyOrderElementsOf(RECIPIENTS);
        String freshLink = linkOf(relinkMails.get(0));
        assertThat(freshLink).isNotEqualTo(firstLink);
        assertThat(download(freshLink)).isEqualTo(archive);
        assertThat(relinkMails.get(0).getSubject()).contains("fresh download link", rotationId);

        // when: one request is sent twice with the same Idempotency-Key (a client retrying), then another relink
        HttpResponse<String> first = relinkRequest(api, rotationId, TOKEN, "retry-key-1");
        HttpResponse<String> again = relinkRequest(api, rotationId, TOKEN, "retry-key-1");
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        String retriedId = RelinkData.relinkId(rotationId, "env\nretry-key-1");
        assertThat(first.body()).contains(retriedId);
        assertThat(CommandRun.of("relink", rotationId, "--api", api, "--token", TOKEN).exitCode()).isZero();

        // then: two requests on Kafka, but one relink and one mail per recipient for them (the next relink's
        // mails arrive after them: the requests of one workflow are in order)
        awaitRelinkMails(6);
        assertThat(events(EventType.RELINK_REQUESTED)).filteredOn(e -> retriedId.equals(RelinkData.of(e))).hasSize(2);
        assertThat(events(EventType.RELINKED)).filteredOn(e -> retriedId.equals(RelinkData.of(e))).hasSize(1);
        assertThat(relinkMails()).filteredOn(m -> messageId(m).equals("<relink-" + retriedId + "@reseal>")).hasSize(2);

        // and: an unknown rotation, a wrong token and another workflow's token are refused
        CommandRun unknown = CommandRun.of("relink", "no-such-rotation", "--api", api, "--token", TOKEN);
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("reseal: HTTP 404 unknown-rotation");
        assertThat(CommandRun.of("relink", rotationId, "--api", api, "--token", "wrong").err())
                .startsWith("reseal: HTTP 401");
        assertThat(CommandRun.of("relink", rotationId, "--api", api, "--token", CREDIT_TOKEN).err())
                .startsWith("reseal: HTTP 403").contains("may not relink rotations of workflow 'financial-ml'");

        // when: the archive is deleted from the bucket, and someone relinks
        Path object = storedObject(packaged.objectKey());
        Files.delete(object);
        int relinkedBefore = events(EventType.RELINKED).size();
        assertThat(CommandRun.of("relink", rotationId, "--api", api, "--token", TOKEN).exitCode()).isZero();

        // then: a failed record says why; no link, no mail; the rotation is still delivered
        RotationFailed gone = await().atMost(Duration.ofSeconds(30)).until(() -> events(EventType.FAILED).stream()
                .map(e -> e.dataAs(RotationFailed.class)).filter(f -> "archive-gone".equals(f.errorCode()))
                .findFirst().orElse(null), Objects::nonNull);
        assertThat(gone.stage()).isEqualTo("relinker");
        assertThat(gone.rotationId()).isEqualTo(rotationId);
        assertThat(gone.message()).contains(packaged.archiveName(), "no longer in bucket reseal-packages");
        assertThat(events(EventType.RELINKED)).hasSize(relinkedBefore);
        assertThat(relinkMails()).hasSize(6);
        CommandRun status = CommandRun.of("status", rotationId, "-o", "json", "--api", api, "--token", TOKEN);
        assertThat(status.out()).contains("\"stage\" : \"notified\"");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                CommandRun.of("status", rotationId, "--api", api, "--token", TOKEN).out())
                .containsPattern("relink    " + Pattern.quote(rotationId) + "\\.relink\\.\\S+: failed \\(archive-gone\\)"));
    }

    private List<MimeMessage> awaitRelinkMails(int count) {
        return await().atMost(Duration.ofSeconds(60)).until(RelinkIT::relinkMails, mails -> mails.size() >= count);
    }

    private static List<MimeMessage> relinkMails() {
        return smtp.receivedMessages().stream().filter(m -> messageId(m).startsWith("<relink-")).toList();
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> relinkRequest(String api, String rotationId, String token, String key)
            throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/rotations/" + rotationId + "/relink"))
                .header("Authorization", "Bearer " + token).header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String linkOf(MimeMessage message) throws Exception {
        Multipart alternative = (Multipart) message.getContent();
        for (int i = 0; i < alternative.getCount(); i++) {
            if (alternative.getBodyPart(i).isMimeType("text/plain")) {
                Matcher link = LINK.matcher((String) alternative.getBodyPart(i).getContent());
                assertThat(link.find()).as("a presigned link in the text part").isTrue();
                return link.group(1);
            }
        }
        throw new AssertionError("no text/plain part");
    }

    private byte[] download(String link) throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(link)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private int status(String link) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(link)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The file the embedded s3proxy keeps the object in. */
    private static Path storedObject(String objectKey) throws Exception {
        try (Stream<Path> files = Files.walk(data.resolve("s3"))) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(objectKey)).findFirst()
                    .orElseThrow(() -> new AssertionError("no stored file for " + objectKey));
        }
    }

    private static List<RotationEvent<?>> events(EventType type) {
        EventCodec codec = new EventCodec();
        return new TopicScanner(new KafkaClients(stack.config().kafka()))
                .readAll(stack.config().kafka().topicNames().of(type), Duration.ofSeconds(20)).stream()
                .<RotationEvent<?>>map(record -> {
                    try {
                        return codec.fromRecord(record);
                    } catch (InvalidEventException e) {
                        throw new AssertionError(e);
                    }
                })
                .filter(e -> e.type() == type)
                .toList();
    }
}

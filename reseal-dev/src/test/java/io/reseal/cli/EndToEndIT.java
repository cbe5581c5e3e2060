package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reseal.cli.local.LocalStack;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.sealer.crypto.PrivateKeyPem;
import io.reseal.sealer.manifest.SealedSecretManifest;
import io.reseal.sealer.manifest.SecretManifest;
import io.reseal.sealer.manifest.SecretSealer;
import io.reseal.sealer.crypto.HybridEncryption;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.interfaces.RSAPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first end-to-end rotation: a hand-written minimal RotationRequested on real Kafka becomes SealedSecrets,
 * an archive in S3 and an e-mail whose link downloads that archive.
 */
class EndToEndIT {

    @TempDir
    static Path data;
    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null,
                name -> name.equals("RESEAL_CONFIG") || name.equals("RESEAL_API_TOKEN") ? null : System.getenv(name),
                Clock.systemUTC());
    }

    @AfterAll
    static void stopStack() {
        stack.close();
    }

    @Test
    void aMinimalRequestWrittenByHandEndsInAnEmailWhoseLinkDownloadsTheSealedPackage() throws Exception {
        // given: what someone types into kcat, no headers, no rotation id
        String bootstrap = stack.config().kafka().bootstrapServers();
        String request = """
                {"specversion":"1.0","id":"kcat-1","source":"/ops/kcat","type":"io.reseal.rotation.requested.v1",
                 "data":{"workflow":"financial-ml","environments":["dev","production"],"requestor":"financial-team@example.com"}}""";
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("reseal.rotation.requested", "financial-ml",
                    request.getBytes(StandardCharsets.UTF_8))).get();
        }

        // when: the e-mail arrives
        Path mail = await().atMost(Duration.ofSeconds(90)).until(() -> savedMail("financial-team@example.com"),
                found -> found != null);

        // then: the mail names the package and its link downloads it
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), Files.newInputStream(mail));
        assertThat(message.getSubject()).contains("financial-ml", "dev", "production");
        String text = textOf(message);
        Matcher link = Pattern.compile("(http://\\S+X-Amz-Signature=[0-9a-f]+)").matcher(text);
        assertThat(link.find()).as("a presigned link in the text part").isTrue();
        HttpResponse<byte[]> download = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(link.group(1))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);

        RotationPackaged packaged = packagedEvent();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(download.body()));
        assertThat(sha256).isEqualTo(packaged.sha256());
        assertThat(text).contains(packaged.sha256(), "kubectl apply -k dev/", "kubectl apply -k production/",
                "MLFLOW_DB_PASSWORD", "ml-platform", "mlflow-db", "ghcr");

        Map<String, byte[]> files = untar(download.body());
        assertThat(files.keySet()).contains("dev/ml-platform-sealed-secret.yaml", "dev/mlflow-db-sealed-secret.yaml",
                "dev/ghcr-sealed-secret.yaml",
                "dev/kustomization.yaml", "production/ml-platform-sealed-secret.yaml", "production/ghcr-sealed-secret.yaml",
                "production/kustomization.yaml", "secret-reference-template.yaml", "README.md", "SHA256SUMS", "SHA256SUMS.sig");
        JsonNode kustomization = new YAMLMapper().readTree(files.get("dev/kustomization.yaml"));
        assertThat(kustomization.get("namespace").asText()).isEqualTo("financial-ml-dev");
        assertThat(new YAMLMapper().readTree(files.get("production/kustomization.yaml")).get("namespace").asText())
                .isEqualTo("financial-ml");

        // and the SealedSecrets open with the local controller key, with the same issued login in both environments
        List<RSAPrivateKey> keys = PrivateKeyPem.parse(Files.readString(data.resolve("sealing-key/tls.key")));
        SecretSealer sealer = new SecretSealer(new HybridEncryption(), Clock.systemUTC());
        SecretManifest dev = sealer.unseal(SealedSecretManifest.parse(new ByteArrayInputStream(
                files.get("dev/mlflow-db-sealed-secret.yaml"))), keys);
        SecretManifest production = sealer.unseal(SealedSecretManifest.parse(new ByteArrayInputStream(
                files.get("production/mlflow-db-sealed-secret.yaml"))), keys);
        assertThat(dev.namespace()).isEqualTo("financial-ml-dev");
        assertThat(dev.values().get("MLFLOW_DB_PASSWORD").bytes())
                .isEqualTo(production.values().get("MLFLOW_DB_PASSWORD").bytes());
        SecretManifest settings = sealer.unseal(SealedSecretManifest.parse(new ByteArrayInputStream(
                files.get("dev/ml-platform-sealed-secret.yaml"))), keys);
        assertThat(new String(settings.values().get("AWS_DEFAULT_REGION").bytes(), StandardCharsets.UTF_8)).isEqualTo("us-east-1");
        assertThat(settings.values()).doesNotContainKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MLFLOW_TRACKING_PASSWORD");

        // and the delivered login works at the embedded PostgreSQL server, with the role's privileges
        Properties login = new Properties();
        login.setProperty("user", new String(dev.values().get("MLFLOW_DB_USERNAME").bytes(), StandardCharsets.UTF_8));
        login.setProperty("password", new String(dev.values().get("MLFLOW_DB_PASSWORD").bytes(), StandardCharsets.UTF_8));
        assertThat(login.getProperty("user")).isEqualTo("mlflow_app_a");
        try (java.sql.Connection db = java.sql.DriverManager.getConnection(
                new String(dev.values().get("MLFLOW_DB_URL").bytes(), StandardCharsets.UTF_8), login);
             java.sql.Statement sql = db.createStatement()) {
            sql.executeQuery("SELECT count(*) FROM experiments").close();
        }
        assertThat(readAll("reseal.rotation.failed")).isEmpty();
    }

    private static Path savedMail(String recipient) throws Exception {
        if (!Files.isDirectory(stack.mailDir())) return null;
        try (Stream<Path> files = Files.list(stack.mailDir())) {
            return files.filter(p -> p.getFileName().toString().endsWith("-" + recipient + ".eml")).findFirst().orElse(null);
        }
    }

    private static String textOf(MimeMessage message) throws Exception {
        Multipart alternative = (Multipart) message.getContent();
        for (int i = 0; i < alternative.getCount(); i++) {
            if (alternative.getBodyPart(i).isMimeType("text/plain")) {
                return (String) alternative.getBodyPart(i).getContent();
            }
        }
        throw new AssertionError("no text/plain part");
    }

    private static RotationPackaged packagedEvent() throws Exception {
        List<ConsumerRecord<String, byte[]>> records = readAll("reseal.rotation.packaged");
        assertThat(records).hasSize(1);
        return new EventCodec().fromRecord(records.get(0)).dataAs(RotationPackaged.class);
    }

    private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        return new TopicScanner(new KafkaClients(stack.config().kafka())).readAll(topic, Duration.ofSeconds(20));
    }

    private static Map<String, byte[]> untar(byte[] archive) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.isDirectory()) continue;
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                tar.transferTo(out);
                files.put(entry.getName(), out.toByteArray());
            }
        }
        return files;
    }
}

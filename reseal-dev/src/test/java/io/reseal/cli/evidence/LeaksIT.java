package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reseal.cli.evidence.EvidenceStack.Mail;
import io.reseal.cli.evidence.EvidenceStack.Service;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.offline.OfflineUnsealer;
import io.reseal.sealer.offline.PrivateKeyLoader;
import io.reseal.sealer.values.ValueSource;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md, first invariant: no plaintext credential leaves the sealer's memory. One end-to-end run (two
 * workflows, five rotations, one of them a minimal hand-written Kafka record; the packager as a separate JVM
 * so that a worker process's logs are covered too), then every record of every topic, every line of the test
 * log and of the worker process's console, every entry of every archive (downloaded through its presigned
 * link) and every saved e-mail (raw, every header, every decoded part) is scanned for every plaintext value of
 * the run, as is and base64-encoded. The values: the {@code env:} and {@code file:} sources, set to random
 * values by the test, the admin secrets of every issuer of the configuration (PostgreSQL's admin password, the
 * {@code kafka-scram} admin's password, MinIO's admin secret key), and every generated and issued value (two
 * rotations of a PostgreSQL login, and two of a bundle that takes a SCRAM user of a broker with a SASL/SCRAM listener,
 * an access key of the MinIO stand-in and a {@code command} issuer's token, each finished), recovered by unsealing each
 * SealedSecret of the run with the local controller's private key.
 */
@Timeout(240)
class LeaksIT {

    @TempDir
    static Path dir;
    static EvidenceStack stack;
    static final List<String> rotations = new ArrayList<>();
    static final int ISSUED_ROTATIONS = 2;
    /** The workflow whose one bundle takes values from every other built-in issuer. */
    static final String ALL_ISSUERS = "all-issuers-ml";
    static final String ALL_ISSUERS_REQUESTOR = "all-issuers-team@example.com";
    /** Fields that are versions, on the events: not secret. */
    static final Set<String> VERSION_FIELDS = Set.of("username", "accessKey");
    static List<CrashSubject> issuers;

    @BeforeAll
    static void run() throws Exception {
        issuers = List.of(new KafkaScramCrashSubject(dir.resolve("kafka-scram")), new MinioCrashSubject(dir.resolve("minio")),
                new ScriptIssuer("leaks-command", dir.resolve("command")));
        stack = EvidenceStack.start(dir, false, Set.of(Service.PACKAGER), LeaksIT::allIssuers);
        for (CrashSubject issuer : issuers) issuer.prepare(stack);
        Duration patience = Duration.ofSeconds(30);
        rotations.add(stack.rotate(EvidenceStack.FINANCIAL, List.of("dev", "production"), EvidenceStack.FINANCIAL_REQUESTOR, patience));
        rotations.add(stack.rotate(EvidenceStack.CREDIT, List.of("dev", "production"), EvidenceStack.CREDIT_REQUESTOR, patience));
        rotations.add(stack.rotate(EvidenceStack.FINANCIAL, List.of("dev"), "someone-else@example.com", patience));
        rotations.add(stack.rotate(EvidenceStack.CREDIT, List.of(), EvidenceStack.CREDIT_REQUESTOR, patience));
        String minimal = "hand-written-" + UUID.randomUUID();
        stack.sendRaw(stack.topic(EventType.REQUESTED), EvidenceStack.FINANCIAL, ("{\"specversion\":\"1.0\",\"id\":\"" + minimal
                + "\",\"source\":\"/kcat\",\"type\":\"io.reseal.rotation.requested.v1\",\"data\":{\"workflow\":\"financial-ml\","
                + "\"requestor\":\"financial-team@example.com\"}}").getBytes(StandardCharsets.UTF_8), Map.of());
        await().atMost(Duration.ofSeconds(120)).until(() -> stack.events(EventType.NOTIFIED).size() == rotations.size() + 1);
        rotations.add(stack.events(EventType.NOTIFIED).stream().map(RotationEvent::rotationId)
                .filter(id -> !rotations.contains(id)).findFirst().orElseThrow());
        // two rotations of a login issued by a real PostgreSQL server, and two of the other issuers' credentials, each
        // finished through the API
        for (int i = 0; i < 2 * ISSUED_ROTATIONS; i++) {
            String issued = i < ISSUED_ROTATIONS
                    ? stack.rotate(EvidenceStack.ISSUED, List.of("dev"), EvidenceStack.ISSUED_REQUESTOR, patience)
                    : stack.rotate(ALL_ISSUERS, List.of("dev"), ALL_ISSUERS_REQUESTOR, patience);
            rotations.add(issued);
            await().atMost(Duration.ofSeconds(120)).until(() -> stack.events(EventType.NOTIFIED).stream()
                    .anyMatch(e -> e.rotationId().equals(issued)));
            await().atMost(Duration.ofSeconds(30)).until(() -> stack.finish(issued) == 202);
            await().atMost(Duration.ofSeconds(60)).until(() -> stack.events(EventType.FINISHED).stream()
                    .anyMatch(e -> e.rotationId().equals(issued)));
        }
        // every mail copy is saved before the server acknowledges the message, hence before "notified"
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) stack.close();
        if (issuers != null) {
            for (CrashSubject issuer : issuers) issuer.close();
        }
    }

    /** The kafka-scram, minio and command issuers, one bundle taking every field of each, and its workflow. */
    private static EvidenceStack.ExtraConfig allIssuers(EvidenceStack stack) {
        StringBuilder entries = new StringBuilder();
        StringBuilder keys = new StringBuilder();
        for (CrashSubject issuer : issuers) {
            entries.append(issuer.issuerEntry(stack));
            issuer.keys().forEach((key, field) -> keys.append("    ").append(key).append(": {issued: {issuer: ")
                    .append(issuer.issuer()).append(", field: ").append(field).append("}}\n"));
        }
        return new EvidenceStack.ExtraConfig(entries.toString(), "- name: all-issuers\n  keys:\n" + keys,
                "- name: " + ALL_ISSUERS + "\n  requestor: " + ALL_ISSUERS_REQUESTOR + "\n  bundles: [all-issuers]\n"
                        + "  environments:\n    dev: {}\n");
    }

    /** The plaintext values of this run: the known sources, and every non-literal value of every SealedSecret. */
    static LeakScanner scanner() throws Exception {
        Set<String> values = new LinkedHashSet<>(stack.knownSecretValues());
        Set<String> literalKeys = new LinkedHashSet<>();
        for (BundleConfig bundle : stack.config().bundles()) {
            bundle.keys().forEach((key, source) -> {
                // literals and issued login names and access keys are not secret (they travel on events as versions)
                if (source instanceof ValueSource.Literal
                        || source instanceof ValueSource.Issued issued && VERSION_FIELDS.contains(issued.issued().field())) {
                    literalKeys.add(key);
                }
            });
        }
        int sealedSecrets = 0;
        for (RotationEvent<?> event : stack.events(EventType.SEALED)) {
            for (RotationSealed.Environment environment : event.dataAs(RotationSealed.class).environments()) {
                for (RotationSealed.Secret secret : environment.secrets()) {
                    stack.unsealed(secret).forEach((key, value) -> {
                        if (!literalKeys.contains(key)) values.add(value);
                    });
                    sealedSecrets++;
                }
            }
        }
        // financial-ml: 2 bundles x (2 + 1 + 2 environments); credit-ml: 1 bundle x (2 + 2 environments); issued-ml and
        // all-issuers-ml: 1 x (1 + 1) each
        assertThat(sealedSecrets).as("SealedSecrets unsealed").isEqualTo(2 * 5 + 4 + 2 * ISSUED_ROTATIONS);
        assertThat(values).as("the unsealed values include the env and file sources").containsAll(stack.knownSecretValues());
        // each ml-platform rotation generates AWS_ACCESS_KEY_ID, MLFLOW_TRACKING_PASSWORD, SIGNING_KEY afresh; 4 known
        // values; each issued-ml rotation a password made at PostgreSQL; each all-issuers-ml rotation a SCRAM password,
        // a MinIO secret key and a command token; and the three issuers' admin secrets, never sealed
        List<String> admins = stack.issuerAdminPasswords();
        assertThat(admins).as("admin secrets of the postgres, kafka-scram and minio issuers").hasSize(3).doesNotHaveDuplicates();
        values.addAll(admins);
        assertThat(values).hasSize(4 + 3 * (rotations.size() - 2 * ISSUED_ROTATIONS) + ISSUED_ROTATIONS + 3 * ISSUED_ROTATIONS + 3);
        values.add(stack.gitToken()); // not a sealed value, but the packager's own credential: it must not leak either
        return new LeakScanner(values);
    }

    @Test
    void the_scanner_finds_a_planted_value_as_is_and_base64_encoded() throws Exception {
        LeakScanner scanner = scanner();
        String planted = stack.knownSecretValues().get(0);
        assertThat(scanner.hits("control", "log line with " + planted + " inside")).containsExactly("control: value #0");
        assertThat(scanner.hits("control", "data: " + Base64.getEncoder().encodeToString(
                planted.getBytes(StandardCharsets.UTF_8)))).containsExactly("control: value #0");
        assertThat(scanner.hits("control", "nothing here")).isEmpty();
    }

    @Test
    void no_record_of_any_topic_holds_a_plaintext_value() throws Exception {
        LeakScanner scanner = scanner();
        List<String> hits = new ArrayList<>();
        int records = 0;
        KafkaClients clients = new KafkaClients(stack.config().kafka());
        try (Admin admin = clients.admin(Map.of())) {
            Set<String> topics = admin.listTopics().names().get();
            assertThat(topics).containsAll(stack.config().kafka().topicNames().all().values());
            TopicScanner topicScanner = new TopicScanner(clients);
            for (String topic : topics) {
                for (ConsumerRecord<String, byte[]> record : topicScanner.readAll(topic, Duration.ofSeconds(30))) {
                    String where = topic + "-" + record.partition() + "@" + record.offset();
                    if (record.key() != null) hits.addAll(scanner.hits(where + " key", record.key()));
                    if (record.value() != null) hits.addAll(scanner.hits(where + " value", record.value()));
                    for (Header header : record.headers()) {
                        hits.addAll(scanner.hits(where + " header " + header.key(), header.value()));
                    }
                    records++;
                }
            }
        }
        assertThat(records).as("records scanned").isGreaterThanOrEqualTo(5 * 4);
        assertThat(hits).isEmpty();
    }

    @Test
    void no_log_line_holds_a_plaintext_value() throws Exception {
        LeakScanner scanner = scanner();
        Path log = Path.of(System.getProperty("reseal.test.log", "target/test-logs/reseal-test.log"));
        String text = Files.readString(log, StandardCharsets.UTF_8);
        for (String rotation : rotations) {
            assertThat(text).as("the services of this run log to " + log).contains("sealer: rotation " + rotation)
                    .contains("packager: rotation " + rotation).contains("notifier: rotation " + rotation);
        }
        List<String> hits = new ArrayList<>(scanner.hits(log.toString(), text));
        Path console = stack.consoleOf(Service.PACKAGER);
        hits.addAll(scanner.hits(console.toString(), Files.readAllBytes(console)));
        assertThat(hits).isEmpty();
    }

    @Test
    void no_archive_entry_holds_a_plaintext_value() throws Exception {
        LeakScanner scanner = scanner();
        List<String> hits = new ArrayList<>();
        int entries = 0;
        List<RotationEvent<?>> packaged = stack.events(EventType.PACKAGED);
        assertThat(packaged).hasSize(rotations.size());
        for (RotationEvent<?> event : packaged) {
            RotationPackaged data = event.dataAs(RotationPackaged.class);
            for (var entry : stack.archive(URI.create(data.downloadUrl())).entrySet()) {
                hits.addAll(scanner.hits(data.objectKey() + "!" + entry.getKey() + " (name)", entry.getKey()));
                hits.addAll(scanner.hits(data.objectKey() + "!" + entry.getKey(), entry.getValue()));
                entries++;
            }
        }
        assertThat(entries).as("archive entries scanned").isGreaterThanOrEqualTo(rotations.size() * 5);
        assertThat(hits).isEmpty();
    }

    @Test
    void no_e_mail_holds_a_plaintext_value() throws Exception {
        LeakScanner scanner = scanner();
        List<String> hits = new ArrayList<>();
        List<Mail> mails = stack.mails();
        // one copy per recipient: requestor of each rotation, plus ml-oncall for the three financial-ml ones
        assertThat(mails).hasSize(rotations.size() + 3);
        for (Mail mail : mails) {
            hits.addAll(scanner.hits(mail.file().getFileName().toString(), mail.raw()));
            List<String> parts = mail.decodedParts();
            assertThat(parts).as("headers and both parts of " + mail.file().getFileName()).hasSizeGreaterThan(5);
            for (String part : parts) {
                hits.addAll(scanner.hits(mail.file().getFileName() + " (decoded)", part));
            }
        }
        assertThat(hits).isEmpty();
    }

    @Test
    void credit_ml_rotations_are_commits_whose_sealed_secrets_unseal_and_whose_files_hold_no_plaintext() throws Exception {
        LeakScanner scanner = scanner();
        List<RSAPrivateKey> keys = PrivateKeyLoader.load(List.of(stack.sealingKeyDir().resolve("tls.key")));
        List<String> commits = stack.events(EventType.PACKAGED).stream().map(e -> e.dataAs(RotationPackaged.class))
                .filter(p -> p.workflow().equals(EvidenceStack.CREDIT)).map(p -> p.git().commit()).toList();
        assertThat(commits).hasSize(2).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(git("log", "--format=%H %an", "main").lines()).containsExactlyInAnyOrderElementsOf(
                commits.stream().map(c -> c + " Reseal").toList());
        List<String> hits = new ArrayList<>();
        int unsealed = 0;
        for (String commit : commits) {
            hits.addAll(scanner.hits(commit + " (message)", git("log", "-1", "--format=%B", commit)));
            for (String file : git("ls-tree", "-r", "--name-only", commit).lines().toList()) {
                String content = git("show", commit + ":" + file);
                hits.addAll(scanner.hits(commit + ":" + file, content));
                if (file.endsWith("-sealed-secret.yaml")) {
                    String secret = new OfflineUnsealer().unseal(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)),
                            keys, OutputFormat.YAML);
                    assertThat(new YAMLMapper().readTree(secret).path("data").has("MLFLOW_TRACKING_PASSWORD")).as(file).isTrue();
                    unsealed++;
                }
            }
        }
        assertThat(unsealed).as("committed SealedSecrets unsealed with the cluster key").isEqualTo(2 * 2);
        assertThat(hits).isEmpty();
    }

    private static String git(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + stack.gitRepository()));
        command.addAll(List.of(args));
        Process git = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    @Test
    void every_rotation_of_the_run_was_notified_and_none_failed() {
        assertThat(stack.events(EventType.NOTIFIED)).map(RotationEvent::rotationId).containsExactlyInAnyOrderElementsOf(rotations);
        assertThat(stack.records(EventType.FAILED)).isEmpty();
    }

}

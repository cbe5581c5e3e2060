package io.reseal.adoption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.adoption.kube.NamespaceInformers;
import io.reseal.embedded.EmbeddedKubernetes;
import io.reseal.embedded.EmbeddedPostgresServer;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.embedded.KafkaCluster;
import io.reseal.embedded.KafkaClusterFactory;
import io.reseal.embedded.MutableClock;
import io.reseal.notifier.NotifierConfig;
import io.reseal.notifier.NotifierWorker;
import io.reseal.notifier.mail.Mailer;
import io.reseal.packager.PackagerConfig;
import io.reseal.packager.PackagerWorker;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.signing.SigningPublicKey;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationReminded;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicBootstrap;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.SealerWorker;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.issuer.AdminLogin;
import io.reseal.sealer.issuer.PostgresIssuerConfig;
import io.reseal.sealer.issuer.RevokePrevious;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.offline.OfflineUnsealer;
import io.reseal.sealer.values.ValueSource;
import io.vertx.core.Vertx;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's "done when", end to end through Kafka: the real sealer (its PostgreSQL issuer on a real embedded
 * PostgreSQL, its finisher and {@code revokePrevious}), packager (archives to s3proxy), notifier (mails to GreenMail)
 * and adoption watcher, against the fabric8 API server stand-in with the SealedSecret CRD. The test plays the team:
 * takes the link out of the package e-mail, downloads, verifies and extracts the archive, applies an environment's
 * folder as {@code kubectl apply -k <env>/} would ({@link DownloadedPackage}), and restarts the workload;
 * {@link SealedSecretsControllerStandIn} plays the controller. The previous login is revoked exactly
 * when the last namespace rolled out, not while one is still only unsealed; a namespace that never applies
 * leads to revocation at the deadline, named in the finish; restarts and a lost API server neither lose nor repeat
 * a state change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FinishOnAdoptionIT {

    private static final String CLUSTER = "prod-eu";
    private static final String ADMIN_PASSWORD = "pg-admin-" + UUID.randomUUID();
    /** The issuer's deadline and the watcher's: short, because the clock the services get is moved by the test. */
    private static final Duration AFTER = Duration.ofSeconds(20);
    private static final Duration REMIND_BEFORE = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private static KafkaCluster kafka;
    private static KafkaConfig kafkaConfig;
    private static EmbeddedKubernetes cluster;
    private static EmbeddedPostgresServer postgres;
    private static EmbeddedSmtp smtp;
    private static EmbeddedS3 s3;
    private static SigningPublicKey packageSigner;
    private static PackagerWorker packager;
    private static NotifierWorker notifier;
    private static Vertx vertx;
    private static Mailer mailer;
    private static SealedSecretsControllerStandIn controller;
    private static KafkaProducer<String, byte[]> producer;
    private static ClusterAccess access;
    private static SealerWorker sealer;
    private static ControllerKeyPair key;
    /**
     * The clock the sealer and the watcher check their deadlines on. When things happened is real time, as on the
     * topics (the sealer counts {@code after} from the sealed record's time): so do the packager and notifier (link
     * dates and the mail's {@code sentAt}, from which the watcher counts).
     */
    private static final MutableClock clock = new MutableClock(Instant.now());
    private static final Topics topics = Topics.defaults();
    private static final EventCodec codec = new EventCodec();

    @BeforeAll
    static void servers() throws Exception {
        kafka = KafkaClusterFactory.create();
        kafka.start();
        kafkaConfig = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, null, Duration.ofSeconds(5));
        TopicBootstrap.ensure(new KafkaClients(kafkaConfig), topics, 1, (short) 1);
        cluster = new EmbeddedKubernetes();
        cluster.start();
        postgres = EmbeddedPostgresServer.start();
        postgres.execute("CREATE ROLE reseal_admin LOGIN CREATEROLE", "CREATE ROLE mlflow_app NOLOGIN",
                "GRANT mlflow_app TO reseal_admin WITH ADMIN OPTION");
        postgres.setPassword("reseal_admin", ADMIN_PASSWORD.toCharArray());
        smtp = new EmbeddedSmtp();
        smtp.start();
        s3 = new EmbeddedS3("reseal-finish-it", "s3-secret-" + UUID.randomUUID());
        s3.start();
        vertx = Vertx.vertx();
        NotifierConfig mail = new NotifierConfig(smtp.host(), smtp.port(), NotifierConfig.TlsMode.NONE, null, null,
                "reseal@example.com", null);
        mailer = new Mailer(vertx, mail);
        controller = new SealedSecretsControllerStandIn(cluster.client(), Set.of("scoring-ml-dev"), clock);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        key = ControllerKeyPair.generate("reseal-finish-it", 2048, Instant.now().minusSeconds(60), new SecureRandom());
        key.writeTo(dir.resolve("key"));
        SealerConfig config = sealerConfig(dir.resolve("key").resolve("tls.crt"));
        access = new ClusterAccess(config.clusters(), Map.of(CLUSTER, cluster.client()));
        sealer = SealerWorker.start(config, kafkaConfig, access, Map.of("PG_ADMIN_PASSWORD", ADMIN_PASSWORD)::get, clock,
                new SimpleMeterRegistry());
        PackageSigner.generate(dir.resolve("signing"));
        packageSigner = SigningPublicKey.read(dir.resolve("signing").resolve(PackageSigner.PUBLIC_KEY_FILE));
        packager = PackagerWorker.start(new PackagerConfig(s3.endpoint(), null, null, s3.accessKey(), s3.secretKey(), null,
                true, null, dir.resolve("signing").resolve(PackageSigner.PRIVATE_KEY_FILE)), kafkaConfig, Clock.systemUTC(),
                new SimpleMeterRegistry());
        notifier = NotifierWorker.start(mail, kafkaConfig, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {notifier, packager, sealer, access, producer, controller, mailer,
                vertx == null ? null : (AutoCloseable) vertx::close, s3, smtp, postgres, cluster, kafka}) {
            try {
                if (closeable != null) closeable.close();
            } catch (Exception e) {
                // keep closing the others
            }
        }
    }

    @Test
    @Order(1)
    void thePreviousLoginIsRevokedExactlyWhenTheLastNamespaceRolledOut() throws Exception {
        // given: a first rotation made login mlflow_app_a (nothing to revoke); dev runs a workload on the Secret
        namespace("issued-ml-dev");
        namespace("issued-ml");
        deployment("issued-ml-dev", "model-api");
        pod("issued-ml-dev", "model-api-old", clock.instant().minus(Duration.ofDays(3)));
        Map<String, String> previous = unseal(rotate("issued-ml", "r1"));
        assertThat(previous).containsEntry("MLFLOW_DB_USERNAME", "mlflow_app_a");

        // when: the second rotation is sealed and delivered
        RotationSealed sealed = rotate("issued-ml", "r2");
        Map<String, String> current = unseal(sealed);
        assertThat(sealed.issuers()).singleElement().satisfies(v -> {
            assertThat(v.current()).isEqualTo("mlflow_app_a");
            assertThat(v.pending()).isEqualTo("mlflow_app_b");
        });
        AdoptionWatcher watcher = watcher();
        try {
            // then: the notifier's e-mail counts as delivery
            DownloadedPackage delivered = packageMailedFor(sealed);
            awaitState("r2", "issued-ml-dev", AdoptionState.DELIVERED);
            awaitState("r2", "issued-ml", AdoptionState.DELIVERED);

            // when: the team applies production (no workload there) and dev (whose pod predates the Secret)
            apply(delivered, "production");
            apply(delivered, "dev");

            // then: production rolled out, dev unsealed only, and for several of the sealer's checks the previous
            // login still works and nothing is finished
            awaitState("r2", "issued-ml", AdoptionState.ROLLED_OUT);
            awaitState("r2", "issued-ml-dev", AdoptionState.UNSEALED);
            await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> logsIn(previous) && finished("r2") == null
                            && state("r2", "issued-ml-dev", AdoptionState.ROLLED_OUT) == null);
        } finally {
            watcher.close();
        }

        // when: while the watcher is down the team restarts dev's workload; then the API server goes away and comes back
        cluster.client().pods().inNamespace("issued-ml-dev").withName("model-api-old").delete();
        Instant restarted = clock.instant().plusSeconds(2);
        pod("issued-ml-dev", "model-api-new", restarted);
        assertThat(logsIn(previous)).as("still valid while dev has not rolled out").isTrue();
        watcher = watcher();
        try {
            cluster.stop();
            cluster.start();

            // then: dev rolls out, and that finishes the rotation: the previous login is revoked, the new one works
            RotationAdopted last = awaitState("r2", "issued-ml-dev", AdoptionState.ROLLED_OUT);
            assertThat(last.since()).isEqualTo(restarted);
            await().atMost(Duration.ofSeconds(60)).until(() -> finished("r2") != null);
            RotationFinished done = finished("r2");
            assertThat(done.requestedBy()).isEqualTo(RotationFinishing.ADOPTION);
            assertThat(done.behind()).isEmpty();
            assertThat(done.issuers()).singleElement().satisfies(r -> assertThat(r.revoked()).isEqualTo("mlflow_app_a"));
            assertThat(logsIn(previous)).isFalse();
            assertThat(logsIn(current)).isTrue();
        } finally {
            watcher.close();
        }

        // and: a third start repeats nothing: each state change of each namespace is on the topic once
        watcher = watcher();
        try {
            await().atMost(Duration.ofSeconds(60)).until(watcher::loaded);
        } finally {
            watcher.close();
        }
        List<RotationEvent<?>> adopted = adoptedEvents("r2");
        assertThat(adopted.stream().map(RotationEvent::id).distinct()).hasSameSizeAs(adopted);
        assertThat(adopted.stream().filter(e -> e.data() instanceof RotationAdopted).map(e -> (RotationAdopted) e.data())
                .map(a -> a.namespace() + ":" + a.state().wireName())).containsExactlyInAnyOrder(
                "issued-ml-dev:delivered", "issued-ml-dev:applied", "issued-ml-dev:unsealed", "issued-ml-dev:rolled-out",
                "issued-ml:delivered", "issued-ml:applied", "issued-ml:unsealed", "issued-ml:rolled-out");
        assertThat(adopted).filteredOn(e -> e.type() == EventType.ADOPTION_COMPLETE).hasSize(1);
        assertThat(events(EventType.FINISHED)).filteredOn(e -> e.rotationId().equals("r2")).hasSize(1);
    }

    @Test
    @Order(2)
    void aNamespaceThatNeverAppliesIsRemindedOnceAndNamedWhenTheDeadlineRevokes() throws Exception {
        // given: a rotation of scoring-ml: its dev controller holds no key for it, staging never applies
        namespace("scoring-ml-dev");
        namespace("scoring-ml-staging");
        Map<String, String> previous = unseal(sealedOf("r2"));
        RotationSealed sealed = rotate("scoring-ml", "r3");
        clock.set(Instant.now()); // from here the deadlines count on the clock the test moves
        AdoptionWatcher watcher = watcher();
        try {
            apply(packageMailedFor(sealed), "dev");

            // then: one decryption-failure mail to dev's contacts and the requestor
            awaitState("r3", "scoring-ml-dev", AdoptionState.DECRYPTION_FAILED);
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("decrypted in scoring-ml-dev").size() == 2);
            assertThat(mails("scoring-ml-staging")).isEmpty();

            // when: less than remindBefore is left
            clock.advance(AFTER.minus(REMIND_BEFORE).plusSeconds(1));

            // then: staging is reminded, once; the previous login is still valid
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("apply the new secrets in scoring-ml-staging").size() == 2);
            assertThat(mails("scoring-ml-staging")).flatExtracting(m -> List.of(m.getAllRecipients())).extracting(Object::toString)
                    .containsOnly("scoring-oncall@example.com", "scoring-team@example.com");
            assertThat(logsIn(previous)).isTrue();

            // when: the deadline passes
            clock.advance(REMIND_BEFORE);

            // then: revoked at the deadline, naming the namespaces still on the previous credential
            await().atMost(Duration.ofSeconds(60)).until(() -> finished("r3") != null);
            RotationFinished done = finished("r3");
            assertThat(done.requestedBy()).isEqualTo(RotationFinishing.DEADLINE);
            assertThat(done.behind()).extracting(l -> l.namespace() + ":" + (l.state() == null ? "-" : l.state().wireName()))
                    .containsExactlyInAnyOrder("scoring-ml-dev:decryption-failed", "scoring-ml-staging:delivered");
            assertThat(logsIn(previous)).isFalse();
            await().atMost(Duration.ofSeconds(60)).until(() -> adoptedEvents("r3").stream()
                    .anyMatch(e -> e.type() == EventType.ADOPTION_COMPLETE));
        } finally {
            watcher.close();
        }

        // and: exactly one reminder and one decryption-failure mail per recipient
        assertThat(adoptedEvents("r3")).filteredOn(e -> e.data() instanceof RotationReminded).hasSize(1);
        assertThat(mails("apply the new secrets in scoring-ml-staging")).hasSize(2);
        assertThat(mails("decrypted in scoring-ml-dev")).hasSize(2);
    }

    private static AdoptionWatcher watcher() {
        java.util.function.Function<String, KubernetesClient> clients = name -> {
            if (!CLUSTER.equals(name)) throw new IllegalArgumentException("unknown cluster '" + name + "'");
            return cluster.client();
        };
        return AdoptionWatcher.start(new AdoptionConfig(null, AFTER, Duration.ofMinutes(1), REMIND_BEFORE, null), kafkaConfig,
                clients, clock, Duration.ofMillis(200),
                AdoptionListener.all(new DecryptionFailureMail(mailer), new ReminderMail(mailer)), new SimpleMeterRegistry());
    }

    private static SealerConfig sealerConfig(Path certificate) {
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("MLFLOW_DB_USERNAME", new ValueSource.Issued(new ValueSource.IssuedRef("mlflow-db", "username")));
        keys.put("MLFLOW_DB_PASSWORD", new ValueSource.Issued(new ValueSource.IssuedRef("mlflow-db", "password")));
        PostgresIssuerConfig issuer = new PostgresIssuerConfig("mlflow-db", new PostgresIssuerConfig.Settings(
                postgres.jdbcUrl(), new AdminLogin(new ValueSource.Literal("reseal_admin"),
                new ValueSource.Env("PG_ADMIN_PASSWORD")), "mlflow_app", null),
                new RevokePrevious(AFTER, AdoptionState.ROLLED_OUT));
        return new SealerConfig(
                List.of(new ClusterConfig(CLUSTER, null, false, new ClusterConfig.CertificateConfig.FromFile(certificate.toString(), null))),
                List.of(new BundleConfig("mlflow-db", null, null, null, keys)),
                List.of(new WorkflowConfig("issued-ml", "issued-team@example.com", List.of("mlflow-db"), Map.of(
                                "dev", new EnvironmentConfig(CLUSTER, null, null, null),
                                "production", new EnvironmentConfig(CLUSTER, null, null, null)), null),
                        new WorkflowConfig("scoring-ml", "scoring-team@example.com", List.of("mlflow-db"), Map.of(
                                "dev", new EnvironmentConfig(CLUSTER, null, null, List.of("scoring-oncall@example.com")),
                                "staging", new EnvironmentConfig(CLUSTER, null, null, List.of("scoring-oncall@example.com"))), null)),
                List.of(issuer));
    }

    /** Asks the sealer for a rotation, as the producer does, and waits until it is sealed. */
    private static RotationSealed rotate(String workflow, String rotationId) throws Exception {
        producer.send(codec.toRecord(topics.of(EventType.REQUESTED), RotationEvent.forRotation(rotationId,
                EventType.REQUESTED, "/test", workflow, OffsetDateTime.now(ZoneOffset.UTC),
                new RotationRequested(workflow, List.of(), List.of(), workflow.replace("-ml", "") + "-team@example.com",
                        "test", null, null)))).get();
        await().atMost(Duration.ofSeconds(60)).until(() -> events(EventType.SEALED).stream()
                .anyMatch(e -> e.rotationId().equals(rotationId)));
        return sealedOf(rotationId);
    }

    private static RotationSealed sealedOf(String rotationId) {
        return events(EventType.SEALED).stream().filter(e -> e.rotationId().equals(rotationId)).findFirst().orElseThrow()
                .dataAs(RotationSealed.class);
    }

    /**
     * The package of a rotation as its requestor gets it: the e-mail the notifier reported sending (by its
     * Message-ID), and the archive its link downloads.
     */
    private static DownloadedPackage packageMailedFor(RotationSealed sealed) throws Exception {
        RotationNotified notified = await().atMost(Duration.ofSeconds(60)).until(() -> events(EventType.NOTIFIED).stream()
                .filter(e -> e.rotationId().equals(sealed.rotationId())).map(e -> e.dataAs(RotationNotified.class))
                .findFirst().orElse(null), n -> n != null);
        MimeMessage mail = await().atMost(Duration.ofSeconds(30)).until(() -> smtp.receivedMessages().stream()
                .filter(m -> isMail(m, notified.messageId(), sealed.requestor())).findFirst().orElse(null), m -> m != null);
        return DownloadedPackage.fromMail(mail, packageSigner);
    }

    private static boolean isMail(MimeMessage mail, String messageId, String recipient) {
        try {
            return messageId.equals(mail.getMessageID()) && List.of(mail.getAllRecipients()).stream()
                    .anyMatch(a -> a.toString().equals(recipient));
        } catch (MessagingException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code kubectl apply -k <env>/} of the downloaded package, against the cluster. */
    private static void apply(DownloadedPackage delivered, String environment) {
        for (GenericKubernetesResource resource : delivered.kustomize(environment, cluster.client().getKubernetesSerialization())) {
            assertThat(resource.getApiVersion() + "/" + resource.getKind()).as("what the package's %s/ holds", environment)
                    .isEqualTo("bitnami.com/v1alpha1/SealedSecret");
            asTheTeam(() -> cluster.client().genericKubernetesResources(NamespaceInformers.SEALED_SECRETS)
                    .inNamespace(resource.getMetadata().getNamespace()).resource(resource).createOr(c -> c.update()));
        }
    }

    /** The login a rotation sealed (what the real controller would put in the Secret). */
    private static Map<String, String> unseal(RotationSealed sealed) throws Exception {
        String json = new OfflineUnsealer().unseal(new ByteArrayInputStream(sealed.environments().get(0).secrets().get(0)
                .manifest().getBytes(StandardCharsets.UTF_8)), List.of((RSAPrivateKey) key.keys().getPrivate()), OutputFormat.JSON);
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode data = new ObjectMapper().readTree(json).path("data");
        data.fieldNames().forEachRemaining(name -> values.put(name,
                new String(Base64.getDecoder().decode(data.get(name).asText()), StandardCharsets.UTF_8)));
        return values;
    }

    private static boolean logsIn(Map<String, String> values) {
        Properties props = new Properties();
        props.setProperty("user", values.get("MLFLOW_DB_USERNAME"));
        props.setProperty("password", values.get("MLFLOW_DB_PASSWORD"));
        try (Connection ignored = DriverManager.getConnection(postgres.jdbcUrl(), props)) {
            return true;
        } catch (SQLException e) {
            assertThat(e.getSQLState()).as(e.getMessage()).isIn("28P01", "28000");
            return false;
        }
    }

    private static RotationFinished finished(String rotationId) {
        return events(EventType.FINISHED).stream().filter(e -> e.rotationId().equals(rotationId)
                && e.data() instanceof RotationFinished).map(e -> (RotationFinished) e.data()).findFirst().orElse(null);
    }

    private static RotationAdopted awaitState(String rotationId, String namespace, AdoptionState state) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300))
                .until(() -> state(rotationId, namespace, state) != null);
        return state(rotationId, namespace, state);
    }

    private static RotationAdopted state(String rotationId, String namespace, AdoptionState state) {
        return adoptedEvents(rotationId).stream().map(RotationEvent::data)
                .filter(d -> d instanceof RotationAdopted a && a.namespace().equals(namespace) && a.state() == state)
                .map(RotationAdopted.class::cast).findFirst().orElse(null);
    }

    private static List<RotationEvent<?>> adoptedEvents(String rotationId) {
        return events(EventType.ADOPTED).stream().filter(e -> rotationId.equals(e.rotationId())).toList();
    }

    private static List<RotationEvent<?>> events(EventType type) {
        List<RotationEvent<?>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : new TopicScanner(new KafkaClients(kafkaConfig))
                .readAll(topics.of(type), Duration.ofSeconds(10))) {
            try {
                events.add(codec.fromRecord(record));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return events;
    }

    private static List<MimeMessage> mails(String subjectPart) throws Exception {
        List<MimeMessage> found = new ArrayList<>();
        for (MimeMessage m : smtp.receivedMessages()) {
            if (m.getSubject().contains(subjectPart)) found.add(m);
        }
        return found;
    }

    private static void namespace(String name) {
        asTheTeam(() -> cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .endMetadata().build()).createOr(c -> c.update()));
    }

    /**
     * Does what kubectl would, again if the first try failed: after the API server came back, the client's first
     * request may go to a connection the old server left dangling (kubectl too would be run again).
     */
    private static void asTheTeam(Runnable action) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            action.run();
            return true;
        });
    }

    private static void deployment(String namespace, String name) {
        cluster.client().apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("ghcr.io/example/model-api:1")
                .addNewEnvFrom().withNewSecretRef().withName("mlflow-db").endSecretRef().endEnvFrom().endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    private static void pod(String namespace, String name, Instant started) {
        cluster.client().pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withLabels(Map.of("app", "model-api")).endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("ghcr.io/example/model-api:1").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withStartTime(started.toString()).endStatus()
                .build()).create();
    }
}

package io.reseal.adoption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.reseal.adoption.kube.NamespaceInformers;
import io.reseal.embedded.EmbeddedKubernetes;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.embedded.KafkaCluster;
import io.reseal.embedded.KafkaClusterFactory;
import io.reseal.embedded.MutableClock;
import io.reseal.embedded.ShippedMonitoring;
import io.reseal.notifier.NotifierConfig;
import io.reseal.notifier.mail.Mailer;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationReminded;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.leadership.LeaseLeadership;
import io.reseal.pipeline.stage.TopicBootstrap;
import io.reseal.pipeline.stage.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The adoption watcher against a real Kafka broker and the fabric8 API server stand-in: the test plays the team
 * (applies the SealedSecrets of the package's environment folder, restarts the workload) and
 * {@link SealedSecretsControllerStandIn} plays the controller.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdoptionWatcherIT {

    private static final String CLUSTER = "prod-eu";
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
    private static final Duration DEADLINE = Duration.ofHours(24);
    private static final Duration REMIND_BEFORE = Duration.ofHours(1);

    private static KafkaCluster kafka;
    private static KafkaConfig kafkaConfig;
    private static EmbeddedKubernetes cluster;
    /** The watcher's own client, so the requests it makes can be told apart from the test's. */
    private static KubernetesClient watcherClient;
    private static final String WATCHER_AGENT = "reseal-adoption-watcher-under-test";
    private static KafkaProducer<String, byte[]> producer;
    private static SealedSecretsControllerStandIn controller;
    private static EmbeddedSmtp smtp;
    private static Vertx vertx;
    private static Mailer mailer;
    private static final MutableClock clock = new MutableClock(START);
    private static final Topics topics = Topics.defaults();
    private static final EventCodec codec = new EventCodec();
    private static final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @BeforeAll
    static void servers() {
        kafka = KafkaClusterFactory.create();
        kafka.start();
        kafkaConfig = KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers());
        TopicBootstrap.ensure(new KafkaClients(kafkaConfig), topics, 1, (short) 1);
        cluster = new EmbeddedKubernetes();
        cluster.start();
        watcherClient = cluster.client(WATCHER_AGENT);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        controller = new SealedSecretsControllerStandIn(cluster.client(), Set.of("risk-ml-dev"), clock);
        smtp = new EmbeddedSmtp();
        smtp.start();
        vertx = Vertx.vertx();
        mailer = new Mailer(vertx, new NotifierConfig(smtp.host(), smtp.port(), NotifierConfig.TlsMode.NONE, null, null,
                "reseal@example.com", null));
    }

    @AfterAll
    static void stop() {
        if (controller != null) controller.close();
        if (mailer != null) mailer.close();
        if (vertx != null) vertx.close();
        if (smtp != null) smtp.close();
        if (producer != null) producer.close();
        if (watcherClient != null) watcherClient.close();
        if (cluster != null) cluster.close();
        if (kafka != null) kafka.close();
    }

    @Test
    @Order(1)
    void followsEachNamespaceToRolledOutAndSignalsCompletionWhenTheLastOneGetsThere() throws Exception {
        // given: two subscribed namespaces; in dev a Deployment that uses both Secrets runs a pod from before
        String rotation = "rot-adopt-1";
        namespace("financial-ml-dev");
        namespace("financial-ml");
        deployment("financial-ml-dev", "model-api");
        pod("financial-ml-dev", "model-api-old", START.minus(Duration.ofDays(3)));
        RotationSealed sealed = sealed(rotation, "financial-ml", Map.of("dev", "financial-ml-dev",
                "production", "financial-ml"));
        AdoptionWatcher watcher = watcher();
        try {
            // when: the package is delivered
            publishDelivery(sealed);

            // then
            awaitState(rotation, "financial-ml-dev", AdoptionState.DELIVERED);
            awaitState(rotation, "financial-ml", AdoptionState.DELIVERED);

            // when: the team applies dev/; the controller unseals it
            applyEnvironment(sealed, "dev");

            // then
            RotationAdopted unsealed = awaitState(rotation, "financial-ml-dev", AdoptionState.UNSEALED);
            assertThat(state(rotation, "financial-ml-dev", AdoptionState.APPLIED)).isNotNull();
            assertThat(unsealed.cluster()).isEqualTo(CLUSTER);
        } finally {
            watcher.close();
        }

        // when: the workload restarts while Reseal is down, and the API server goes away and comes back
        cluster.client().pods().inNamespace("financial-ml-dev").withName("model-api-old").delete();
        Instant restart = clock.instant().plus(Duration.ofMinutes(5));
        pod("financial-ml-dev", "model-api-new", restart);
        watcher = watcher();
        try {
            RotationAdopted rolledOut = awaitState(rotation, "financial-ml-dev", AdoptionState.ROLLED_OUT);
            assertThat(rolledOut.since()).as("rolled out when the new pod started").isEqualTo(restart);
            assertThat(rolledOut.message()).contains("Deployment/model-api");
            assertThat(complete(rotation)).as("production has not applied yet").isEmpty();

            cluster.stop();
            cluster.start();
            clock.advance(Duration.ofMinutes(10));
            applyEnvironment(sealed, "production");

            // then: production has no workload using the Secret, so it is rolled out when unsealed, and that
            // completes the rotation
            RotationAdopted last = awaitState(rotation, "financial-ml", AdoptionState.ROLLED_OUT);
            assertThat(last.message()).isEqualTo("no workload uses ml-platform, ghcr-pull");
            await().atMost(Duration.ofSeconds(60)).until(() -> !complete(rotation).isEmpty());
            RotationAdoptionComplete done = complete(rotation).get(0);
            assertThat(done.outcome()).isEqualTo(RotationAdoptionComplete.Outcome.ADOPTED);
            assertThat(done.target()).isEqualTo(AdoptionState.ROLLED_OUT);
            assertThat(done.laggards()).isEmpty();
            assertThat(done.at()).as("exactly when the last namespace rolled out").isEqualTo(last.since())
                    .isAfter(rolledOut.since());
        } finally {
            watcher.close();
            clock.set(START);
        }

        // and: a third start repeats nothing: every change and the completion are on the topic once
        watcher = watcher();
        try {
            await().atMost(Duration.ofSeconds(60)).until(watcher::loaded);
        } finally {
            watcher.close();
        }
        List<RotationEvent<?>> events = events(rotation);
        assertThat(events.stream().map(RotationEvent::id).distinct()).hasSameSizeAs(events);
        assertThat(events.stream().filter(e -> e.data() instanceof RotationAdopted)
                .map(e -> ((RotationAdopted) e.data()).namespace() + ":" + ((RotationAdopted) e.data()).state().wireName()))
                .containsExactlyInAnyOrder(
                        "financial-ml-dev:delivered", "financial-ml:delivered",
                        "financial-ml-dev:applied", "financial-ml-dev:unsealed", "financial-ml-dev:rolled-out",
                        "financial-ml:applied", "financial-ml:unsealed", "financial-ml:rolled-out");
        assertThat(events.get(events.size() - 1).type()).as("completion comes last").isEqualTo(EventType.ADOPTION_COMPLETE);
    }

    @Test
    @Order(2)
    void aDecryptionFailureIsReportedWithTheControllersMessageAndTheDeadlineNamesTheLaggards() throws Exception {
        // given: dev's SealedSecrets cannot be opened by its controller; staging never applies
        String rotation = "rot-deadline-1";
        namespace("risk-ml-dev");
        namespace("risk-ml-staging");
        RotationSealed sealed = sealed(rotation, "risk-ml", Map.of("dev", "risk-ml-dev", "staging", "risk-ml-staging"));
        AdoptionWatcher watcher = watcher();
        try {
            publishDelivery(sealed);
            applyEnvironment(sealed, "dev");

            // then
            RotationAdopted failed = awaitState(rotation, "risk-ml-dev", AdoptionState.DECRYPTION_FAILED);
            assertThat(failed.message()).startsWith("ml-platform: no key could decrypt secret (");
            awaitState(rotation, "risk-ml-staging", AdoptionState.DELIVERED);
            assertThat(complete(rotation)).isEmpty();
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("risk-ml-dev").size() == 2);
            MimeMessage mail = mails("risk-ml-dev").get(0);
            assertThat(mails("risk-ml-dev")).flatExtracting(m -> List.of(m.getAllRecipients())).extracting(Object::toString)
                    .containsOnly("team@example.com", "lead@example.com");
            assertThat(mail.getSubject()).isEqualTo("[reseal] risk-ml: secrets cannot be decrypted in risk-ml-dev on prod-eu");
            assertThat(((jakarta.mail.Multipart) mail.getContent()).getBodyPart(0).getContent().toString()).contains("Cluster:    prod-eu")
                    .contains("ml-platform: no key could decrypt secret (API_TOKEN, DB_PASSWORD)")
                    .contains("./reseal rotate risk-ml dev");
            assertThat(mails("risk-ml-staging")).as("no mail for a namespace that merely has not applied").isEmpty();

            // when: less than remindBefore is left before the deadline
            clock.advance(DEADLINE.minus(REMIND_BEFORE).plusMinutes(1));

            // then: staging, which has not applied, is reminded once; dev (which applied) is not
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("risk-ml-staging").size() == 2);
            MimeMessage reminder = mails("risk-ml-staging").get(0);
            assertThat(reminder.getSubject()).isEqualTo("[reseal] risk-ml: apply the new secrets in risk-ml-staging on prod-eu before "
                    + START.plus(DEADLINE));
            assertThat(((jakarta.mail.Multipart) reminder.getContent()).getBodyPart(0).getContent().toString())
                    .contains("kubectl apply -k staging/", "./reseal relink " + rotation);
            assertThat(reminded(rotation)).extracting(RotationReminded::namespace).containsExactly("risk-ml-staging");
        } finally {
            watcher.close();
        }

        // when: the watcher restarts, and the deadline after delivery passes
        watcher = watcher();
        try {
            clock.advance(DEADLINE.plusMinutes(1));

            // then
            await().atMost(Duration.ofSeconds(60)).until(() -> !complete(rotation).isEmpty());
            RotationAdoptionComplete done = complete(rotation).get(0);
            assertThat(done.outcome()).isEqualTo(RotationAdoptionComplete.Outcome.DEADLINE);
            assertThat(done.laggards()).extracting(l -> l.namespace() + ":" + l.state().wireName())
                    .containsExactlyInAnyOrder("risk-ml-dev:decryption-failed", "risk-ml-staging:delivered");

            // and: the evaluation that completed it offered no second reminder, on the topic or by mail
            assertThat(reminded(rotation)).hasSize(1);
            assertThat(mails("risk-ml-staging")).hasSize(2);
            assertThat(mails("risk-ml-dev")).as("one decryption-failure mail, no reminder").hasSize(2);
        } finally {
            watcher.close();
            clock.set(START);
        }
    }

    @Test
    @Order(2)
    void aNamespaceThatAppliedTheNextRotationIsNotRemindedOfTheOneItReplacedNorBehindAtItsDeadline() throws Exception {
        // given: credit-ml rotated twice (the second's id sorts first), two hours apart; dev applies the second only
        String first = "rot-replaced-b";
        String second = "rot-replaced-a";
        namespace("credit-ml-dev");
        namespace("credit-ml-staging");
        Map<String, String> namespaces = Map.of("dev", "credit-ml-dev", "staging", "credit-ml-staging");
        RotationSealed older = sealed(first, "credit-ml", namespaces);
        RotationSealed newer = sealed(second, "credit-ml", namespaces);
        AdoptionWatcher watcher = watcher();
        try {
            publishDelivery(older);
            awaitState(first, "credit-ml-dev", AdoptionState.DELIVERED);
            clock.advance(Duration.ofHours(2));
            publishDelivery(newer);
            awaitState(second, "credit-ml-dev", AdoptionState.DELIVERED);
            applyEnvironment(newer, "dev");
            awaitState(second, "credit-ml-dev", AdoptionState.ROLLED_OUT);
        } finally {
            watcher.close();
        }

        // when: after a restart, the first rotation's reminders are due
        watcher = watcher();
        try {
            clock.set(START.plus(DEADLINE).minus(REMIND_BEFORE).plusSeconds(60));

            // then: staging is reminded of it; dev, which runs the second, is not
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("credit-ml-staging").size() == 2);
            assertThat(reminded(first)).extracting(RotationReminded::namespace).containsExactly("credit-ml-staging");
            assertThat(mails("credit-ml-dev")).isEmpty();
            assertThat(state(first, "credit-ml-dev", AdoptionState.APPLIED)).as("its state stays as it was").isNull();

            // when: the first rotation's deadline passes
            clock.set(START.plus(DEADLINE).plusSeconds(60));

            // then: staging alone is behind
            await().atMost(Duration.ofSeconds(60)).until(() -> !complete(first).isEmpty());
            assertThat(complete(first).get(0).laggards()).extracting(l -> l.namespace() + ":" + l.state().wireName())
                    .containsExactly("credit-ml-staging:delivered");

            // when: the second rotation's reminders are due
            clock.set(START.plus(Duration.ofHours(2)).plus(DEADLINE).minus(REMIND_BEFORE).plusSeconds(60));

            // then: staging, which applied neither, is reminded of it too; dev is not
            await().atMost(Duration.ofSeconds(60)).until(() -> mails("credit-ml-staging").size() == 4);
            assertThat(reminded(second)).extracting(RotationReminded::namespace).containsExactly("credit-ml-staging");
            assertThat(mails("credit-ml-dev")).isEmpty();
            assertThat(complete(second)).isEmpty();
        } finally {
            watcher.close();
            clock.set(START);
        }
    }

    @Test
    @Order(3)
    void ofTwoReplicasOnlyTheLeaderPublishesAndTheOtherTakesOverWithoutRepeatingOrLosingAChange() throws Exception {
        // given: two replicas electing a leader with a Lease on the API server; the first leads
        String rotation = "rot-leader-1";
        namespace("fraud-ml-dev");
        RotationSealed sealed = sealed(rotation, "fraud-ml", Map.of("dev", "fraud-ml-dev"));
        AdoptionWatcher first = replica("reseal-adoption-0");
        AdoptionWatcher second = null;
        boolean firstClosed = false;
        try {
            await().atMost(Duration.ofSeconds(60)).until(first::leading);
            second = replica("reseal-adoption-1");
            await().atMost(Duration.ofSeconds(60)).until(second::loaded);

            // when: the package is delivered
            publishDelivery(sealed);

            // then: the leader publishes it, the other stands by
            awaitState(rotation, "fraud-ml-dev", AdoptionState.DELIVERED);
            assertThat(second.leading()).isFalse();

            // when: the leader stops (it gives up the Lease), and then the team applies dev/
            first.close();
            firstClosed = true;
            await().atMost(Duration.ofSeconds(60)).until(second::leading);
            applyEnvironment(sealed, "dev");

            // then: the new leader follows the namespace to the end
            awaitState(rotation, "fraud-ml-dev", AdoptionState.ROLLED_OUT);
            await().atMost(Duration.ofSeconds(60)).until(() -> !complete(rotation).isEmpty());
        } finally {
            if (!firstClosed) first.close();
            if (second != null) second.close();
        }

        // and: each change is on the topic exactly once, none missing
        List<RotationEvent<?>> events = events(rotation);
        assertThat(events).extracting(e -> e.data() instanceof RotationAdopted a ? a.state().wireName() : e.type().shortName())
                .containsExactly("delivered", "applied", "unsealed", "rolled-out", EventType.ADOPTION_COMPLETE.shortName());
    }

    @Test
    @Order(4)
    void everyMetricTheAlertsAndTheDashboardUseExistsAfterARun() throws Exception {
        // given: the runs above; the shipped monitoring files
        String scrape = metrics.scrape();
        Map<String, Set<String>> byService = ShippedMonitoring.metricsByService();

        // then: every section of the files is some service's whose test checks it (this one or RotationApiIT)
        assertThat(byService).as("services with alerts or panels").containsOnlyKeys("adoption", "producer");
        Set<String> used = byService.get("adoption");
        assertThat(used).contains("reseal_rotation_namespaces", "reseal_rotation_decryption_failures_total",
                "reseal_rotation_time_to_adopt_seconds_bucket", "reseal_rotation_adoption_complete_total");
        for (String metric : used) {
            assertThat(scrape).as("%s is exposed", metric).containsPattern("(?m)^" + metric + "[{ ]");
        }
        assertThat(scrape).contains("reseal_rotation_adoption_complete_total{outcome=\"deadline\",workflow=\"risk-ml\"} 1.0");
    }

    @Test
    @Order(5)
    void theShippedRbacAllowsEveryRequestTheWatcherMadeAndNothingItDidNotUse() throws Exception {
        // given: what the watcher (and its Lease) asked the API server in the runs above; what deploy/kubernetes grants
        List<ApiRequest> made = cluster.requests().stream().filter(r -> WATCHER_AGENT.equals(r.userAgent()))
                .map(ApiRequest::of).distinct().toList();
        List<Grant> granted = Grant.boundTo("reseal-adoption", "reseal",
                java.nio.file.Files.readString(java.nio.file.Path.of("..", "deploy", "kubernetes", "rbac.yaml")));

        // then: each request is allowed (by name where the rule names resources) ...
        assertThat(made).as("requests of the watcher").isNotEmpty();
        for (ApiRequest request : made) {
            assertThat(granted).as("a rule allowing " + request).anyMatch(g -> g.allows(request));
        }
        // ... and each verb on each resource granted was used
        for (Grant grant : granted) {
            assertThat(made).as("a request that needs " + grant).anyMatch(grant::allows);
        }
    }

    /** A request to the API server as RBAC sees it: verb, API group, resource, namespace, and the name if it gives one. */
    private record ApiRequest(String verb, String group, String resource, String namespace, String name) {

        private static final java.util.regex.Pattern PATH = java.util.regex.Pattern.compile(
                "/(?:api/v1|apis/([^/]+)/[^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?");

        static ApiRequest of(EmbeddedKubernetes.Request request) {
            java.net.URI uri = java.net.URI.create(request.path());
            java.util.regex.Matcher m = PATH.matcher(uri.getRawPath());
            assertThat(m.matches()).as(request.path()).isTrue();
            Map<String, String> query = new java.util.HashMap<>();
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    String[] kv = pair.split("=", 2);
                    query.put(kv[0], kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "");
                }
            }
            String name = m.group(4);
            String selector = query.getOrDefault("fieldSelector", "");
            if (name == null && selector.startsWith("metadata.name=") && !selector.contains(",")) {
                name = selector.substring("metadata.name=".length());
            }
            String verb = switch (request.method()) {
                case "GET" -> m.group(4) != null ? "get" : "true".equals(query.get("watch")) ? "watch" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> m.group(4) != null ? "delete" : "deletecollection";
                default -> request.method();
            };
            return new ApiRequest(verb, m.group(1) == null ? "" : m.group(1), m.group(3), m.group(2), name);
        }
    }

    /** One verb on one resource that a Role or ClusterRole bound to a service account grants. */
    private record Grant(String verb, String group, String resource, boolean byName, String namespace) {

        boolean allows(ApiRequest request) {
            return verb.equals(request.verb()) && group.equals(request.group()) && resource.equals(request.resource())
                    && (!byName || request.name() != null) && (namespace == null || namespace.equals(request.namespace()));
        }

        /** What the bindings in {@code yaml} give {@code account}; a ClusterRole bound cluster-wide has no namespace. */
        @SuppressWarnings("unchecked")
        static List<Grant> boundTo(String account, String accountNamespace, String yaml) {
            var serialization = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
            List<GenericKubernetesResource> documents = java.util.Arrays.stream(yaml.split("(?m)^---$"))
                    .map(doc -> serialization.unmarshal(doc, GenericKubernetesResource.class))
                    .filter(java.util.Objects::nonNull).toList();
            List<Grant> grants = new ArrayList<>();
            for (GenericKubernetesResource binding : documents) {
                if (!binding.getKind().endsWith("Binding")) continue;
                List<Map<String, Object>> subjects = (List<Map<String, Object>>) binding.getAdditionalProperties().get("subjects");
                if (subjects.stream().noneMatch(s -> "ServiceAccount".equals(s.get("kind")) && account.equals(s.get("name"))
                        && accountNamespace.equals(s.get("namespace")))) continue;
                Map<String, Object> ref = (Map<String, Object>) binding.getAdditionalProperties().get("roleRef");
                String scope = binding.getKind().equals("RoleBinding") ? binding.getMetadata().getNamespace() : null;
                GenericKubernetesResource role = documents.stream().filter(d -> d.getKind().equals(ref.get("kind"))
                        && d.getMetadata().getName().equals(ref.get("name"))
                        && (d.getKind().equals("ClusterRole") || java.util.Objects.equals(d.getMetadata().getNamespace(), scope)))
                        .findFirst().orElseThrow(() -> new AssertionError(binding.getMetadata().getName() + ": no role " + ref));
                for (Map<String, Object> rule : (List<Map<String, Object>>) role.getAdditionalProperties().get("rules")) {
                    boolean byName = rule.containsKey("resourceNames");
                    for (String group : (List<String>) rule.get("apiGroups")) {
                        for (String resource : (List<String>) rule.get("resources")) {
                            for (String verb : (List<String>) rule.get("verbs")) {
                                grants.add(new Grant(verb, group, resource, byName, scope));
                            }
                        }
                    }
                }
            }
            return grants;
        }
    }

    @Test
    @Order(4)
    void aForgedAdoptionOnTheTopicNeitherHidesTheRealChangesNorCompletesTheRotation() throws Exception {
        // given: a delivered rotation, and a rolled-out on the topic from another source before the watcher starts
        String rotation = "rot-forged-1";
        namespace("web-ml-dev");
        RotationSealed sealed = sealed(rotation, "web-ml", Map.of("dev", "web-ml-dev"));
        Instant forgedSince = START.minus(Duration.ofDays(2));
        publishDelivery(sealed);
        send(forged(rotation, AdoptionState.ROLLED_OUT, "/hostile", forgedSince));
        AdoptionWatcher watcher = watcher();
        try {
            awaitState(rotation, "web-ml-dev", AdoptionState.DELIVERED);
            // and: while it runs, forgeries exactly in the watcher's shape
            for (AdoptionState state : List.of(AdoptionState.APPLIED, AdoptionState.UNSEALED, AdoptionState.ROLLED_OUT)) {
                send(forged(rotation, state, AdoptionWatcher.SOURCE, forgedSince));
            }

            // when: the team applies the package for real (no workload uses the Secrets: rolled out when unsealed)
            applyEnvironment(sealed, "dev");

            // then: the watcher publishes the real changes, and completes the rotation on them
            await().atMost(Duration.ofSeconds(60)).until(() -> !complete(rotation).isEmpty());
            List<Instant> rolledOut = events(rotation).stream().map(RotationEvent::data)
                    .filter(d -> d instanceof RotationAdopted a && a.state() == AdoptionState.ROLLED_OUT)
                    .map(d -> ((RotationAdopted) d).since()).toList();
            assertThat(rolledOut).as("the forged ones and the watcher's").hasSize(3).contains(forgedSince);
            Instant real = rolledOut.stream().filter(since -> !since.equals(forgedSince)).findFirst().orElseThrow();
            assertThat(complete(rotation).get(0).at()).as("completed when it really rolled out").isEqualTo(real);
        } finally {
            watcher.close();
        }
    }

    private static RotationEvent<RotationAdopted> forged(String rotation, AdoptionState state, String source, Instant since) {
        RotationAdopted change = new RotationAdopted(rotation, "web-ml", "dev", "web-ml-dev", CLUSTER, state, since, "forged");
        return new RotationEvent<>(change.eventId(), URI.create(source), EventType.ADOPTED, "web-ml",
                OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), rotation, change);
    }

    private static AdoptionWatcher watcher() {
        Function<String, KubernetesClient> clients = name -> {
            if (!CLUSTER.equals(name)) throw new IllegalArgumentException("unknown cluster '" + name + "'");
            return watcherClient;
        };
        return AdoptionWatcher.start(new AdoptionConfig(null, DEADLINE, Duration.ofMinutes(1), REMIND_BEFORE, null), kafkaConfig,
                clients, clock, Duration.ofMillis(200),
                AdoptionListener.all(new DecryptionFailureMail(mailer), new ReminderMail(mailer)), metrics);
    }

    /** A replica with leader election on the stand-in API server (a short Lease, so a hand-over is quick). */
    private static AdoptionWatcher replica(String identity) {
        return AdoptionWatcher.start(new AdoptionConfig(null, DEADLINE, Duration.ofMinutes(1), REMIND_BEFORE,
                        new AdoptionConfig.LeaderElection(CLUSTER, "reseal", null)), kafkaConfig, name -> watcherClient,
                clock, Duration.ofMillis(200), AdoptionListener.NONE, new SimpleMeterRegistry(),
                new LeaseLeadership(watcherClient, "reseal", AdoptionConfig.LeaderElection.DEFAULT_LEASE, identity,
                        Duration.ofSeconds(3), "adoption"));
    }

    private static RotationSealed sealed(String rotation, String workflow, Map<String, String> namespaces) {
        List<RotationSealed.Environment> environments = new ArrayList<>();
        namespaces.forEach((env, ns) -> environments.add(new RotationSealed.Environment(env, ns, CLUSTER, "sha256:ab",
                List.of("team@example.com"), List.of(
                        secret(rotation, ns, "ml-platform", "Opaque", SecretScope.STRICT, List.of("DB_PASSWORD", "API_TOKEN")),
                        secret(rotation, ns, "ghcr-pull", "kubernetes.io/dockerconfigjson", SecretScope.NAMESPACE_WIDE,
                                List.of(".dockerconfigjson"))))));
        return new RotationSealed(rotation, workflow, "lead@example.com", Trigger.AD_HOC, "test", START, environments);
    }

    /** A SealedSecret in the shape the sealer writes (its rotation id on it and on its template); dummy ciphertext. */
    private static RotationSealed.Secret secret(String rotation, String namespace, String name, String type,
                                                SecretScope scope, List<String> keys) {
        String scopeAnnotation = scope == SecretScope.STRICT ? "" : "    " + scope.annotation() + ": \"true\"\n";
        String manifest = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n"
                + "  annotations:\n    reseal.io/rotation-id: " + rotation + "\n" + scopeAnnotation.replace("    ", "    ")
                + "  creationTimestamp: null\n  name: " + name + "\n  namespace: " + namespace + "\n"
                + "spec:\n  encryptedData:\n"
                + keys.stream().map(k -> "    " + (k.startsWith(".") ? "\"" + k + "\"" : k) + ": AgBy3i4OJSWK+PiTySYZZA==\n")
                        .collect(Collectors.joining())
                + "  template:\n    metadata:\n      annotations:\n        reseal.io/rotation-id: " + rotation + "\n"
                + scopeAnnotation.replace("    ", "        ")
                + "      creationTimestamp: null\n      name: " + name + "\n      namespace: " + namespace + "\n"
                + "    type: " + type + "\n";
        return new RotationSealed.Secret(name, type, scope, keys, manifest);
    }

    private static void publishDelivery(RotationSealed sealed) throws Exception {
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        send(RotationEvent.forRotation(sealed.rotationId(), EventType.SEALED, "/test", sealed.workflow(), now, sealed));
        send(RotationEvent.forRotation(sealed.rotationId(), EventType.NOTIFIED, "/test", sealed.workflow(), now,
                new RotationNotified(sealed.rotationId(), sealed.workflow(), List.of("lead@example.com"), "<m@x>",
                        clock.instant())));
    }

    private static void send(RotationEvent<?> event) throws Exception {
        producer.send(codec.toRecord(topics.of(event.type()), event)).get();
    }

    /** What {@code kubectl apply -k <env>/} does with the package's SealedSecrets of that environment. */
    private static void applyEnvironment(RotationSealed sealed, String environment) {
        RotationSealed.Environment env = sealed.environments().stream().filter(e -> e.name().equals(environment))
                .findFirst().orElseThrow();
        for (RotationSealed.Secret secret : env.secrets()) {
            GenericKubernetesResource resource = cluster.client().getKubernetesSerialization()
                    .unmarshal(secret.manifest(), GenericKubernetesResource.class);
            cluster.client().genericKubernetesResources(NamespaceInformers.SEALED_SECRETS).inNamespace(env.namespace())
                    .resource(resource).create();
        }
    }

    private static void namespace(String name) {
        cluster.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata()
                .build()).create();
    }

    private static void deployment(String namespace, String name) {
        cluster.client().apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNewSelector().withMatchLabels(Map.of("app", name)).endSelector()
                .withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("api").withImage("ghcr.io/example/model-api:1")
                .addNewEnvFrom().withNewSecretRef().withName("ml-platform").endSecretRef().endEnvFrom().endContainer()
                .addNewImagePullSecret().withName("ghcr-pull").endImagePullSecret()
                .endSpec().endTemplate().endSpec().build()).create();
    }

    private static void pod(String namespace, String name, Instant started) {
        cluster.client().pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name).withLabels(Map.of("app", "model-api", "pod-template-hash", "5d8f"))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("ghcr.io/example/model-api:1").endContainer()
                .endSpec()
                .withNewStatus().withPhase("Running").withStartTime(started.toString()).endStatus()
                .build()).create();
    }

    private static List<MimeMessage> mails(String namespace) throws Exception {
        List<MimeMessage> found = new ArrayList<>();
        for (MimeMessage m : smtp.receivedMessages()) {
            if (m.getSubject().contains(" in " + namespace + " on ")) found.add(m);
        }
        return found;
    }

    private static RotationAdopted awaitState(String rotation, String namespace, AdoptionState state) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> state(rotation, namespace, state) != null);
        return state(rotation, namespace, state);
    }

    private static RotationAdopted state(String rotation, String namespace, AdoptionState state) {
        return events(rotation).stream().map(RotationEvent::data)
                .filter(d -> d instanceof RotationAdopted a && a.namespace().equals(namespace) && a.state() == state)
                .map(RotationAdopted.class::cast).findFirst().orElse(null);
    }

    private static List<RotationReminded> reminded(String rotation) {
        return events(rotation).stream().map(RotationEvent::data)
                .filter(RotationReminded.class::isInstance).map(RotationReminded.class::cast).toList();
    }

    private static List<RotationAdoptionComplete> complete(String rotation) {
        return events(rotation).stream().map(RotationEvent::data)
                .filter(RotationAdoptionComplete.class::isInstance).map(RotationAdoptionComplete.class::cast).toList();
    }

    /** Every event of {@code rotation} on the adopted topic, in order. */
    private static List<RotationEvent<?>> events(String rotation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        List<RotationEvent<?>> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.of(EventType.ADOPTED)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    RotationEvent<?> event = codec.fromRecord(record);
                    if (rotation.equals(event.rotationId())) events.add(event);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return events;
    }
}

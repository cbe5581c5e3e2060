package io.reseal.cli.evidence;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reseal.cli.ServiceAssembly;
import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.EmbeddedGitServer;
import io.reseal.embedded.EmbeddedPostgresServer;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.embedded.KafkaBrokerProcess;
import io.reseal.embedded.KafkaCluster;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.ops.OpsServer;
import io.reseal.producer.ProducerMain;
import io.reseal.producer.RotationProducer;
import io.reseal.producer.api.RotationApi;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.issuer.IssuerConfig;
import io.reseal.sealer.issuer.KafkaScramIssuerConfig;
import io.reseal.sealer.issuer.MinioIssuerConfig;
import io.reseal.sealer.issuer.PostgresIssuerConfig;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.offline.OfflineUnsealer;
import io.reseal.sealer.offline.PrivateKeyLoader;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Test support for the evidence tests: the whole system on real embedded servers, wired by hand so that a
 * test can stop any server, or run any worker as separate JVMs ({@code reseal sealer|packager|notifier} from
 * the production jar, exactly as a container runs it; several replicas in one consumer group) and SIGKILL one. Everything lives under one directory: the configuration
 * ({@code reseal.yaml}), the sealing key pair ({@code reseal-data/sealing-key/}), the values of the
 * {@code env:} and {@code file:} sources (random, known to the test), S3 objects, saved mail ({@code .eml}),
 * and the worker processes' console output.
 *
 * <p>Reading: {@link #records(EventType)} is a live tail of every stage topic (read committed, from the
 * beginning, across broker restarts); {@link #mails()} parses the saved {@code .eml} copies;
 * {@link #archive(URI)} downloads a package through its presigned link. Services run with the real
 * {@link ConfigLoader} and are built by the real {@link ServiceAssembly}, so every worker, in this JVM or not,
 * reads the same file and variables and is wired as the service commands wire it.
 * Not thread-safe for its lifecycle; the readers may be called from any thread. {@link #close()} stops
 * the services, then the servers.
 */
final class EvidenceStack implements AutoCloseable {

    static final String TOKEN = "evidence-token-" + UUID.randomUUID();
    static final String ENV_AWS_SECRET = "RESEAL_EVIDENCE_AWS_SECRET";
    static final String FINANCIAL = "financial-ml";
    static final String FINANCIAL_REQUESTOR = "financial-team@example.com";
    static final String CREDIT = "credit-ml";
    static final String CREDIT_REQUESTOR = "credit-team@example.com";
    /** A workflow whose only environment is in cluster {@code swapped}, whose certificate file a test controls. */
    static final String SWAPPED = "swapped-ml";
    /** A workflow whose bundle takes its login from the {@code mlflow-db} issuer (a real PostgreSQL server). */
    static final String ISSUED = "issued-ml";
    static final String ISSUED_REQUESTOR = "issued-team@example.com";
    static final String ENV_PG_ADMIN = "RESEAL_EVIDENCE_PG_ADMIN";
    private static final String S3_ACCESS_KEY = "evidence";
    private static final String S3_SECRET_KEY = "evidence-s3-secret-" + UUID.randomUUID();
    static final String BUCKET = "reseal-packages";
    /** The packager's token for the Git repository of workflow {@code credit-ml}. */
    private static final String GIT_TOKEN = "glpat-evidence-" + UUID.randomUUID();
    static final String GIT_REPOSITORY = "deploy";
    /** Partitions of the topics of a stack started with {@link #start(Path, boolean, Set)}. */
    private static final int DEFAULT_PARTITIONS = 3;

    /** The jar the image ships, which worker processes run (reseal-dev's failsafe configuration names it). */
    private static final Path APP_JAR = Path.of(System.getProperty("reseal.app.jar", "../reseal-app/target/reseal.jar"))
            .toAbsolutePath().normalize();

    /**
     * Entries a test adds to the configuration's {@code issuers:}, {@code bundles:} and {@code workflows:} lists: YAML
     * list items at the top level's indentation ({@code "- name: ..."}, nested keys indented by two), or empty.
     */
    record ExtraConfig(String issuers, String bundles, String workflows) {

        static final ExtraConfig NONE = new ExtraConfig("", "", "");

        ExtraConfig {
            issuers = indented(issuers);
            bundles = indented(bundles);
            workflows = indented(workflows);
        }

        /** As list items under a key of the configuration, two spaces in. */
        private static String indented(String entries) {
            return entries.strip().indent(2).stripTrailing();
        }
    }

    /** The services a test may run in this JVM or as a separate process. */
    enum Service { SEALER, PACKAGER, NOTIFIER }

    private final Path dir;
    private final KafkaCluster kafka;
    private final EmbeddedS3 s3;
    private final EmbeddedSmtp smtp;
    private EmbeddedGitServer git;
    private EmbeddedPostgresServer postgres;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<Service, AutoCloseable> inJvm = new EnumMap<>(Service.class);
    /** The worker processes of each service, oldest first. */
    private final Map<Service, Deque<Process>> processes = new EnumMap<>(Service.class);
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<ConsumerRecord<String, byte[]>> tailed = new CopyOnWriteArrayList<>();
    private final EventCodec codec = new EventCodec();
    private final String ghcrToken = randomValue("ghp_");
    private final Function<EvidenceStack, ExtraConfig> extra;
    private final int partitions;
    private ResealConfig config;
    private RotationProducer producer;
    private Consumer<String, byte[]> tailConsumer;
    private Thread tailThread;
    private volatile boolean tailing = true;

    private EvidenceStack(Path dir, boolean brokerProcess, int partitions, Function<EvidenceStack, ExtraConfig> extra) {
        this.dir = dir;
        this.extra = extra;
        this.partitions = partitions;
        this.kafka = brokerProcess ? new KafkaBrokerProcess(dir.resolve("kafka"), 0) : new EmbeddedKafka();
        this.s3 = new EmbeddedS3(S3_ACCESS_KEY, S3_SECRET_KEY, dir.resolve("s3"), 0);
        this.smtp = new EmbeddedSmtp(0, dir.resolve("mail"));
    }

    /**
     * Starts the servers and the services: the producer always in this JVM, each of {@code separate} as its
     * own JVM, the other workers in this JVM.
     *
     * @param brokerProcess run Kafka as a separate JVM ({@link KafkaBrokerProcess}) instead of in this one
     */
    static EvidenceStack start(Path dir, boolean brokerProcess, Set<Service> separate) {
        return start(dir, brokerProcess, separate, stack -> ExtraConfig.NONE);
    }

    /**
     * As {@link #start(Path, boolean, Set)}, with the issuers, bundles and workflows of {@code extra} added to the
     * configuration; {@code extra} is called once the servers run (so it may name {@link #postgres()}'s URL).
     */
    static EvidenceStack start(Path dir, boolean brokerProcess, Set<Service> separate,
                               Function<EvidenceStack, ExtraConfig> extra) {
        return start(new EvidenceStack(dir, brokerProcess, DEFAULT_PARTITIONS, extra), separate, 1);
    }

    /**
     * The stack scaled out: {@code replicas} processes of every worker ({@code reseal.jar <service>}), each worker's
     * replicas in one consumer group, on topics of {@code partitions} partitions; Kafka in this JVM. {@code extra} as
     * for {@link #start(Path, boolean, Set, Function)}.
     */
    static EvidenceStack startReplicated(Path dir, int replicas, int partitions, Function<EvidenceStack, ExtraConfig> extra) {
        return start(new EvidenceStack(dir, false, partitions, extra), Set.of(Service.values()), replicas);
    }

    private static EvidenceStack start(EvidenceStack stack, Set<Service> separate, int replicas) {
        try {
            stack.startAll(separate, replicas);
            return stack;
        } catch (RuntimeException | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Set<Service> separate, int replicas) {
        remember(kafka).start();
        remember(s3).start();
        remember(smtp).start();
        git = remember(new EmbeddedGitServer(dir.resolve("git"), "reseal-bot", GIT_TOKEN));
        git.createRepository(GIT_REPOSITORY);
        environment.put("GIT_TOKEN", GIT_TOKEN);
        postgres = remember(EmbeddedPostgresServer.start());
        writeKeysAndValues();
        environment.put("RESEAL_CONFIG", writeConfig().toString());
        environment.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        environment.put("S3_ENDPOINT", s3.endpoint().toString());
        environment.put("S3_ACCESS_KEY", S3_ACCESS_KEY);
        environment.put("S3_SECRET_KEY", S3_SECRET_KEY);
        environment.put("SMTP_HOST", smtp.host());
        environment.put("SMTP_PORT", Integer.toString(smtp.port()));
        environment.put("API_PORT", "0");
        config = ConfigLoader.load(Path.of(environment.get("RESEAL_CONFIG")), environment::get);
        for (Service service : Service.values()) {
            if (separate.contains(service)) {
                for (int i = 0; i < replicas; i++) {
                    startProcess(service);
                }
            } else {
                startInJvm(service);
            }
        }
        producer = newProducer();
        startTail();
    }

    private RotationProducer newProducer() {
        return ServiceAssembly.producer(config,
                name -> name.equals(ProducerMain.TOKEN_VARIABLE) ? TOKEN : environment.get(name), Clock.systemUTC());
    }

    /** Another producer replica, on the same configuration and topics (stopped with the stack). */
    RotationProducer producerReplica() {
        RotationProducer replica = remember(newProducer());
        await().atMost(Duration.ofSeconds(60)).until(replica::statusLoaded);
        return replica;
    }

    /** Stops the producer and starts a new one on the same topics, as a restart or a redeploy does. */
    void restartProducer() {
        producer.close();
        producer = newProducer();
        await().atMost(Duration.ofSeconds(60)).until(producer::statusLoaded);
    }

    private void writeKeysAndValues() {
        ControllerKeyPair.generate("reseal-evidence", 2048, Instant.now(), new SecureRandom())
                .writeTo(sealingKeyDir());
        // cluster "swapped" starts with a valid key pair of its own; tests replace its certificate file
        ControllerKeyPair.generate("reseal-swapped", 2048, Instant.now(), new SecureRandom())
                .writeTo(swappedCertificate().getParent());
        try {
            PackageSigner.loadOrGenerate(dir.resolve("signing"));
            Files.createDirectories(dir.resolve("values"));
            Files.writeString(dir.resolve("values").resolve("db-password"), randomValue("db-"));
            String auth = Base64.getEncoder().encodeToString(("evidence-bot:" + ghcrToken).getBytes(StandardCharsets.UTF_8));
            Files.writeString(dir.resolve("values").resolve("ghcr-dockerconfig.json"),
                    "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + auth + "\"}}}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        environment.put(ENV_AWS_SECRET, randomValue("aws-"));
        environment.put(ENV_PG_ADMIN, randomValue("pg-admin-"));
        postgres.execute("CREATE ROLE reseal_admin LOGIN CREATEROLE", "CREATE ROLE mlflow_app NOLOGIN",
                "GRANT mlflow_app TO reseal_admin WITH ADMIN OPTION");
        postgres.setPassword("reseal_admin", environment.get(ENV_PG_ADMIN).toCharArray());
    }

    private static String randomValue(String prefix) {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        return prefix + HexFormat.of().formatHex(random);
    }

    private Path writeConfig() {
        ExtraConfig more = extra.apply(this);
        String yaml = """
                kafka:
                  partitions: %10$d
                  retryDeadline: PT3M
                clusters:
                  - name: local
                    certificate: {file: "%1$s/reseal-data/sealing-key/tls.crt", refresh: PT10M}
                  - name: swapped
                    certificate: {file: "%1$s/swapped/tls.crt", refresh: PT1S}
                bundles:
                  - name: ml-platform
                    scope: strict
                    keys:
                      AWS_ACCESS_KEY_ID: {generate: {kind: token, length: 20}}
                      AWS_SECRET_ACCESS_KEY: {env: %2$s}
                      AWS_DEFAULT_REGION: {literal: us-east-1}
                      DB_PASSWORD: {file: "%1$s/values/db-password"}
                      MLFLOW_TRACKING_PASSWORD: {generate: {kind: password, length: 32}}
                      SIGNING_KEY: {generate: {kind: hex, length: 64}}
                  - name: ghcr
                    type: kubernetes.io/dockerconfigjson
                    scope: namespace-wide
                    keys:
                      .dockerconfigjson: {file: "%1$s/values/ghcr-dockerconfig.json"}
                  - name: mlflow-db
                    keys:
                      MLFLOW_DB_USERNAME: {issued: {issuer: mlflow-db, field: username}}
                      MLFLOW_DB_PASSWORD: {issued: {issuer: mlflow-db, field: password}}
                %8$s
                issuers:
                  - name: mlflow-db
                    postgres:
                      url: "%4$s"
                      admin: {username: {literal: reseal_admin}, password: {env: %5$s}}
                      role: mlflow_app
                %7$s
                workflows:
                  - name: issued-ml
                    requestor: issued-team@example.com
                    bundles: [mlflow-db]
                    environments:
                      dev: {}
                  - name: financial-ml
                    requestor: financial-team@example.com
                    bundles: [ml-platform, ghcr]
                    environments:
                      dev: {contacts: [ml-oncall@example.com]}
                      production: {}
                  - name: credit-ml
                    requestor: credit-team@example.com
                    bundles: [ml-platform]
                    environments:
                      dev: {}
                      production: {}
                    delivery:
                      git:
                        url: %6$s
                        path: secrets/credit-ml
                        credentials: {username: {literal: reseal-bot}, password: {env: GIT_TOKEN}}
                  - name: swapped-ml
                    requestor: swapped-team@example.com
                    bundles: [ml-platform]
                    environments:
                      dev: {cluster: swapped}
                %9$s
                s3:
                  bucket: %3$s
                  linkExpiry: P1D
                  signingKey: "%1$s/signing/package-signing.pem"
                smtp:
                  from: reseal@localhost
                  sendTimeout: PT5S
                """.formatted(dir.toAbsolutePath(), ENV_AWS_SECRET, BUCKET, postgres.jdbcUrl(), ENV_PG_ADMIN,
                git.url(GIT_REPOSITORY), more.issuers(), more.bundles(), more.workflows(), partitions);
        try {
            Path file = dir.resolve("reseal.yaml");
            Files.writeString(file, yaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startInJvm(Service service) {
        Clock clock = Clock.systemUTC();
        MeterRegistry metrics = new SimpleMeterRegistry();
        inJvm.put(service, ServiceAssembly.Worker.valueOf(service.name()).start(config, environment::get, clock, metrics));
    }

    /**
     * Starts a replica of {@code service} as its own JVM from the production jar ({@code java -jar reseal.jar <service>},
     * exactly as the image runs it), logging to the test log file; replicas of a service share its consumer group.
     */
    void startProcess(Service service) {
        String name = service.name().toLowerCase(Locale.ROOT);
        if (!Files.isRegularFile(APP_JAR)) {
            throw new IllegalStateException(APP_JAR + " is missing: build reseal-app first (mvn -pl reseal-dev -am verify)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        for (String property : List.of("log4j2.configurationFile", "reseal.test.log", "java.util.logging.config.file")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.addAll(List.of("-jar", APP_JAR.toString(), name));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleOf(service).toFile()));
        builder.environment().putAll(environment);
        builder.environment().put(OpsServer.PORT_VARIABLE, "0");
        try {
            processes.computeIfAbsent(service, s -> new ArrayDeque<>()).addLast(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " as a process", e);
        }
    }

    /**
     * SIGKILL to the oldest running process of {@code service}, like an OOM kill or a node failure; returns once
     * the process is gone.
     */
    void killProcess(Service service) throws InterruptedException {
        Process process = processes.getOrDefault(service, new ArrayDeque<>()).pollFirst();
        if (process == null) {
            throw new IllegalStateException("no process of " + service + " runs: start one with startProcess");
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(service + " did not die within 30 s of SIGKILL");
        }
    }

    /** The console output (stdout and stderr) of the worker processes of {@code service}. */
    Path consoleOf(Service service) {
        return dir.resolve(service.name().toLowerCase(Locale.ROOT) + "-console.log");
    }

    KafkaCluster kafka() {
        return kafka;
    }

    EmbeddedS3 s3() {
        return s3;
    }

    EmbeddedSmtp smtp() {
        return smtp;
    }

    ResealConfig config() {
        return config;
    }

    Path dir() {
        return dir;
    }

    Path sealingKeyDir() {
        return dir.resolve("reseal-data").resolve("sealing-key");
    }

    /** Where cluster {@code swapped} reads its certificate from (refreshed every second). */
    Path swappedCertificate() {
        return dir.resolve("swapped").resolve("tls.crt");
    }

    /** The packager's own credential: the token of the Git repository of {@code credit-ml}. */
    String gitToken() {
        return GIT_TOKEN;
    }

    /** From now on, the Git server refuses pushes to {@code main} of the repository of {@code credit-ml}. */
    void protectGitBranch() {
        git.protectBranch(GIT_REPOSITORY, "main");
    }

    /** The bare repository (on the Git server of this stack) that {@code credit-ml} delivers to. */
    Path gitRepository() {
        return git.directory(GIT_REPOSITORY);
    }

    /** The values of the {@code env:} and {@code file:} sources of this run, and the token inside the docker config. */
    List<String> knownSecretValues() {
        try {
            return List.of(environment.get(ENV_AWS_SECRET),
                    Files.readString(dir.resolve("values").resolve("db-password")),
                    Files.readString(dir.resolve("values").resolve("ghcr-dockerconfig.json")),
                    ghcrToken);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The data of a SealedSecret of this stack, unsealed with the local controller's private key, as the cluster
     * would: key to plaintext value.
     */
    Map<String, String> unsealed(RotationSealed.Secret secret) {
        String manifest = new OfflineUnsealer().unseal(new ByteArrayInputStream(secret.manifest().getBytes(StandardCharsets.UTF_8)),
                PrivateKeyLoader.load(List.of(sealingKeyDir().resolve("tls.key"))), OutputFormat.YAML);
        Map<String, String> data = new LinkedHashMap<>();
        try {
            new YAMLMapper().readTree(manifest).path("data").fields().forEachRemaining(entry -> data.put(entry.getKey(),
                    new String(Base64.getDecoder().decode(entry.getValue().asText()), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return data;
    }

    /**
     * The admin secrets of every issuer of the configuration (PostgreSQL's admin password, the {@code kafka-scram}
     * admin's password, MinIO's admin secret key), read from their value sources as the sealer reads them: never
     * sealed, so the leak scans add them to the values they look for.
     */
    List<String> issuerAdminPasswords() {
        ValueResolver values = new ValueResolver(environment::get, new ClusterAccess(List.of()), "local", new SecureRandom());
        List<String> secrets = new ArrayList<>();
        for (IssuerConfig issuer : config.issuers()) {
            ValueSource source = null; // command: its program holds its own secrets
            if (issuer instanceof PostgresIssuerConfig postgres) {
                source = postgres.postgres().admin().password();
            } else if (issuer instanceof KafkaScramIssuerConfig scram && scram.kafkaScram().admin() != null) {
                source = scram.kafkaScram().admin().password();
            } else if (issuer instanceof MinioIssuerConfig minio) {
                source = minio.minio().admin().secretKey();
            }
            if (source == null) continue;
            try {
                SecretValue secret = values.resolve("issuer " + issuer.name() + " admin secret", source);
                secrets.add(new String(secret.bytes(), StandardCharsets.UTF_8));
                secret.destroy();
            } catch (RetriableStageException | PermanentStageException e) {
                throw new IllegalStateException(e);
            }
        }
        return secrets;
    }

    /** The PostgreSQL server of the {@code mlflow-db} issuer. */
    EmbeddedPostgresServer postgres() {
        return postgres;
    }

    /** {@code POST /api/v1/rotations/{id}/finish} with the evidence token; the HTTP status. */
    int finish(String rotationId) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(apiUrl() + RotationApi.ROTATIONS + "/" + rotationId + "/finish"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    URI apiUrl() {
        return URI.create("http://127.0.0.1:" + producer.port());
    }

    // ---- requests

    /** {@code POST /api/v1/rotations} as given (body, content type, token), without retries. */
    HttpResponse<String> post(byte[] body, String contentType, String token, Map<String, String> headers)
            throws IOException, InterruptedException {
        return post(producer, body, contentType, token, headers);
    }

    /** {@code POST /api/v1/rotations} to the producer replica {@code to}, as given, without retries. */
    HttpResponse<String> post(RotationProducer to, byte[] body, String contentType, String token, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + to.port() + RotationApi.ROTATIONS))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) request.header("Content-Type", contentType);
        if (token != null) request.header("Authorization", "Bearer " + token);
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Requests a rotation through the API and returns its id, retrying with the same Idempotency-Key while
     * the API answers 503 or cannot be reached (for instance while the broker restarts), up to {@code patience}.
     */
    String rotate(String workflow, List<String> environments, String requestor, Duration patience)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("workflow", workflow);
        body.put("environments", environments);
        body.put("requestor", requestor);
        byte[] json = EventJson.mapper().writeValueAsBytes(body);
        Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
        Instant deadline = Instant.now().plus(patience);
        while (true) {
            try {
                HttpResponse<String> response = post(json, "application/json", TOKEN, key);
                if (response.statusCode() == 202) {
                    return EventJson.mapper().readTree(response.body()).get("rotationId").asText();
                }
                if (response.statusCode() != 503 || Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("POST " + workflow + " answered " + response.statusCode() + ": "
                            + response.body());
                }
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) throw e;
            }
            Thread.sleep(250);
        }
    }

    /** Writes raw bytes (and headers) to {@code topic}, as any Kafka client could; returns where it went. */
    RecordMetadata sendRaw(String topic, String key, byte[] value, Map<String, String> headers) throws Exception {
        try (Producer<String, byte[]> raw = new KafkaClients(config.kafka()).producer(null, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024))) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
            headers.forEach((name, v) -> record.headers().add(name, v.getBytes(StandardCharsets.UTF_8)));
            return raw.send(record).get(30, TimeUnit.SECONDS);
        }
    }

    String topic(EventType type) {
        return config.kafka().topicNames().of(type);
    }

    // ---- reading topics

    private void startTail() {
        tailConsumer = new KafkaClients(config.kafka()).consumer(null, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024));
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : config.kafka().topicNames().all().values()) {
            tailConsumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        tailConsumer.assign(partitions);
        tailConsumer.seekToBeginning(partitions);
        tailThread = new Thread(() -> {
            try {
                while (tailing) {
                    tailConsumer.poll(Duration.ofMillis(100)).forEach(tailed::add);
                }
            } catch (WakeupException stopping) {
                // close() asked
            } finally {
                tailConsumer.close(Duration.ofSeconds(5));
            }
        }, "evidence-topic-tail");
        tailThread.setDaemon(true);
        tailThread.start();
    }

    /** Every committed record of the topic of {@code type} seen so far. */
    List<ConsumerRecord<String, byte[]>> records(EventType type) {
        String topic = topic(type);
        return tailed.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    /** The events on the topic of {@code type} seen so far (records that are not valid events are skipped). */
    List<RotationEvent<?>> events(EventType type) {
        List<RotationEvent<?>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records(type)) {
            try {
                events.add(codec.fromRecord(record));
            } catch (InvalidEventException e) {
                // a hostile record a test wrote itself
            }
        }
        return events;
    }

    /** The failed event the stage wrote for the record at {@code origin}, if any yet. */
    Optional<JsonNode> failureOf(RecordMetadata origin) {
        return records(EventType.FAILED).stream()
                .map(r -> data(r.value()))
                .filter(d -> origin.topic().equals(d.path("originTopic").asText())
                        && d.path("originPartition").asInt(-1) == origin.partition()
                        && d.path("originOffset").asLong(-1) == origin.offset())
                .findFirst();
    }

    /** The failed events of rotation {@code rotationId} so far. */
    List<JsonNode> failuresOf(String rotationId) {
        return records(EventType.FAILED).stream()
                .map(r -> data(r.value()))
                .filter(d -> rotationId.equals(d.path("rotationId").asText()))
                .toList();
    }

    boolean notified(String rotationId) {
        return events(EventType.NOTIFIED).stream().anyMatch(e -> rotationId.equals(e.rotationId()));
    }

    private static JsonNode data(byte[] value) {
        try {
            return EventJson.mapper().readTree(value).path("data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- mail and archives

    /** A saved copy of a received e-mail: its file name and the message. */
    record Mail(Path file, byte[] raw, MimeMessage message) {

        String header(String name) {
            try {
                String[] values = message.getHeader(name);
                return values == null ? null : values[0];
            } catch (MessagingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Every header line and every decoded text part, for scanning. */
        List<String> decodedParts() {
            List<String> parts = new ArrayList<>();
            try {
                for (Header header : Collections.list(message.getAllHeaders())) {
                    parts.add(header.getName() + ": " + header.getValue());
                }
                collect(message.getContent(), parts);
            } catch (MessagingException | IOException e) {
                throw new IllegalStateException("cannot read " + file, e);
            }
            return parts;
        }

        private static void collect(Object content, List<String> parts) throws MessagingException, IOException {
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart part = multipart.getBodyPart(i);
                    for (Header header : Collections.list(part.getAllHeaders())) {
                        parts.add(header.getName() + ": " + header.getValue());
                    }
                    collect(part.getContent(), parts);
                }
            } else if (content instanceof InputStream in) {
                parts.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } else {
                parts.add(String.valueOf(content));
            }
        }
    }

    /** Every saved e-mail copy ({@code <n>-<recipient>.eml}), in order of arrival. */
    List<Mail> mails() {
        Session session = Session.getInstance(new Properties());
        try (Stream<Path> files = Files.list(smtp.mailDir())) {
            List<Mail> mails = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".eml")).sorted().toList()) {
                byte[] raw = Files.readAllBytes(file);
                mails.add(new Mail(file, raw, new MimeMessage(session, new ByteArrayInputStream(raw))));
            }
            return mails;
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException("cannot read saved mail", e);
        }
    }

    /** The package objects in the bucket (files of the S3 server's data directory), by object key. */
    List<String> archiveObjectKeys() {
        Path bucket = dir.resolve("s3").resolve(BUCKET);
        if (!Files.isDirectory(bucket)) return List.of();
        try (Stream<Path> files = Files.walk(bucket)) {
            return files.filter(f -> f.toString().endsWith(".tar.gz"))
                    .map(f -> bucket.relativize(f).toString().replace(File.separatorChar, '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of the package behind a presigned link, downloaded like a recipient would: name to content. */
    Map<String, byte[]> archive(URI link) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(link).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("download of " + link.getPath() + " answered " + response.statusCode());
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GzipCompressorInputStream(new ByteArrayInputStream(response.body())))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                tar.transferTo(content);
                entries.put(entry.getName(), content.toByteArray());
            }
        }
        return entries;
    }

    // ---- lifecycle

    private <T extends AutoCloseable> T remember(T resource) {
        started.push(resource);
        return resource;
    }

    @Override
    public void close() {
        tailing = false;
        if (tailConsumer != null) {
            tailConsumer.wakeup();
            try {
                tailThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close();
        }
        List<Process> running = processes.values().stream().flatMap(Deque::stream).toList();
        running.forEach(Process::destroy); // all at once: each takes a moment to leave its group
        running.forEach(p -> {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        });
        processes.clear();
        inJvm.values().forEach(EvidenceStack::closeQuietly);
        inJvm.clear();
        while (!started.isEmpty()) {
            closeQuietly(started.pop());
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("evidence stack: stopping " + resource.getClass().getSimpleName() + ": " + e);
        }
    }
}

package io.reseal.cli.local;

import io.reseal.cli.ServiceAssembly;
import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.EmbeddedPostgresServer;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.files.OwnerOnlyFiles;
import io.reseal.pipeline.ops.OpsServer;
import io.reseal.pipeline.service.RunningService;
import io.reseal.producer.ProducerMain;
import io.reseal.producer.RotationProducer;
import io.reseal.sealer.crypto.ControllerKeyPair;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system on one machine: embedded Kafka, S3 and SMTP servers (each replaced by a real one
 * when its environment variables are set), with the built-in sample configuration an embedded PostgreSQL server
 * for its issuer, and the four services, in this JVM. Local state lives under
 * one data folder: the sealing key pair as the controller stores it ({@code sealing-key/}), the package
 * signing key ({@code signing/}), S3 objects ({@code s3/}), received mail ({@code mail/}) and, for
 * {@code local}, the Kafka log ({@code kafka/}). The services are built by {@link ServiceAssembly}, as the
 * service commands build them. The three workers count into one registry, served with their
 * health on one {@link OpsServer} ({@link Ports#ops()}). {@link #close()} stops the services first, then the servers.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
    /** Credentials of the embedded S3 server: local only, never used against a real store. */
    static final String LOCAL_S3_ACCESS_KEY = "reseal-local";
    static final String LOCAL_S3_SECRET_KEY = "reseal-local-secret-key";
    /** Where the API and the ops endpoint listen: loopback unless this variable (or {@code --bind}) says otherwise. */
    public static final String BIND_VARIABLE = "RESEAL_BIND_ADDRESS";
    static final String LOOPBACK = "127.0.0.1";

    /** Which ports the embedded servers, the API and the workers' ops endpoints use; 0 for any free port. */
    public record Ports(int api, int kafka, int s3, int smtp, int ops) {
        public static final Ports LOCAL = new Ports(8080, 9092, 9000, 2525, OpsServer.DEFAULT_PORT);
    }

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Path data;
    private ResealConfig config;
    private String apiToken;
    private boolean tokenGenerated;
    private RotationProducer producer;
    private OpsServer ops;
    private Path mailDir;
    private String postgresUrl;

    private LocalStack(Path data) {
        this.data = data;
    }

    /**
     * @param kafkaData where the embedded broker keeps its log; {@code null} for a temporary one on a free port
     * @param environment the process environment (real servers, {@code RESEAL_CONFIG}, {@code RESEAL_API_TOKEN},
     *        {@value #BIND_VARIABLE}: the API and ops endpoint's address, default {@code 127.0.0.1}; the embedded
     *        Kafka, S3, SMTP and PostgreSQL servers are always on {@code 127.0.0.1})
     */
    public static LocalStack start(Path data, Ports ports, Path kafkaData, Function<String, String> environment, Clock clock) {
        LocalStack stack = new LocalStack(data);
        try {
            stack.startAll(ports, kafkaData, environment, clock);
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void startAll(Ports ports, Path kafkaData, Function<String, String> environment, Clock clock) {
        Map<String, String> overrides = new HashMap<>();
        if (environment.apply("KAFKA_BOOTSTRAP_SERVERS") == null) {
            EmbeddedKafka kafka = kafkaData == null ? new EmbeddedKafka() : new EmbeddedKafka(kafkaData, ports.kafka());
            remember(kafka).start();
            overrides.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        }
        if (environment.apply("S3_ENDPOINT") == null) {
            EmbeddedS3 s3 = new EmbeddedS3(LOCAL_S3_ACCESS_KEY, LOCAL_S3_SECRET_KEY, data.resolve("s3"), free(ports.s3()));
            remember(s3).start();
            overrides.put("S3_ENDPOINT", s3.endpoint().toString());
            overrides.put("S3_ACCESS_KEY", s3.accessKey());
            overrides.put("S3_SECRET_KEY", s3.secretKey());
        }
        if (environment.apply("SMTP_HOST") == null) {
            mailDir = data.resolve("mail");
            EmbeddedSmtp smtp = new EmbeddedSmtp(free(ports.smtp()), mailDir);
            remember(smtp).start();
            overrides.put("SMTP_HOST", smtp.host());
            overrides.put("SMTP_PORT", Integer.toString(smtp.port()));
        }
        if (isBlank(environment.apply("RESEAL_CONFIG"))) {
            startPostgres(overrides);
        }
        prepareLocalKeys();
        apiToken = environment.apply(ProducerMain.TOKEN_VARIABLE);
        if (apiToken == null || apiToken.isBlank()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            apiToken = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            tokenGenerated = true;
        }
        overrides.put(ProducerMain.TOKEN_VARIABLE, apiToken);
        overrides.put("API_PORT", Integer.toString(ports.api()));
        String bind = isBlank(environment.apply(BIND_VARIABLE)) ? LOOPBACK : environment.apply(BIND_VARIABLE).strip();
        overrides.put("API_BIND_ADDRESS", bind);
        Function<String, String> merged = name -> overrides.containsKey(name) ? overrides.get(name) : environment.apply(name);
        config = loadConfig(merged);

        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<RunningService> workers = new ArrayList<>();
        for (ServiceAssembly.Worker worker : ServiceAssembly.Worker.values()) {
            workers.add(remember(worker.start(config, merged, clock, metrics)));
        }
        ops = remember(OpsServer.start(new InetSocketAddress(bind, free(ports.ops())), metrics,
                () -> workers.stream().allMatch(RunningService::isRunning), Map.of()));
        producer = remember(ServiceAssembly.producer(config, merged, clock));
        LOG.info("local stack started: API on {}, Kafka {}", apiUrl(), config.kafka().bootstrapServers());
    }

    private ResealConfig loadConfig(Function<String, String> environment) {
        String file = environment.apply("RESEAL_CONFIG");
        if (file != null && !file.isBlank()) {
            return ConfigLoader.load(Path.of(file), environment);
        }
        try (InputStream in = LocalStack.class.getResourceAsStream("sample-reseal.yaml")) {
            String sample = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${data}", data.toString())
                    .replace("${postgres}", postgresUrl);
            return ConfigLoader.load(new ByteArrayInputStream(sample.getBytes(StandardCharsets.UTF_8)),
                    "the built-in sample configuration", environment);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The sample's issuer: an embedded PostgreSQL server with the role {@code mlflow_app} (it may read the table
     * {@code experiments}) and an admin login with a random password that only the sealer is given.
     */
    private void startPostgres(Map<String, String> overrides) {
        EmbeddedPostgresServer postgres = remember(EmbeddedPostgresServer.start());
        postgres.execute("CREATE ROLE reseal_admin LOGIN CREATEROLE", "CREATE ROLE mlflow_app NOLOGIN",
                "GRANT mlflow_app TO reseal_admin WITH ADMIN OPTION", "CREATE TABLE experiments (name text)",
                "GRANT SELECT ON experiments TO mlflow_app");
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        postgres.setPassword("reseal_admin", password.toCharArray()); // the driver wipes the array it is given
        overrides.put("MLFLOW_DB_ADMIN_PASSWORD", password);
        postgresUrl = postgres.jdbcUrl();
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** The controller key pair of the local "cluster", the package signing key and the demo registry credential. */
    private void prepareLocalKeys() {
        try {
            OwnerOnlyFiles.directory(data);
            Path sealing = data.resolve("sealing-key");
            if (!Files.exists(sealing.resolve("tls.crt"))) {
                LOG.info("creating the local sealing key pair in {}", sealing);
                ControllerKeyPair.generate("reseal-local", 4096, Clock.systemUTC().instant(), new SecureRandom()).writeTo(sealing);
            }
            PackageSigner.loadOrGenerate(data.resolve("signing"));
            Path dockerConfig = data.resolve("demo").resolve("ghcr-dockerconfig.json");
            if (!Files.exists(dockerConfig)) {
                Files.createDirectories(dockerConfig.getParent());
                byte[] token = new byte[20];
                new SecureRandom().nextBytes(token);
                String auth = Base64.getEncoder().encodeToString(("financial-ml-bot:ghp_"
                        + java.util.HexFormat.of().formatHex(token)).getBytes(StandardCharsets.UTF_8));
                Files.writeString(dockerConfig, "{\"auths\":{\"ghcr.io\":{\"auth\":\"" + auth + "\"}}}");
                try {
                    Files.setPosixFilePermissions(dockerConfig, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not POSIX
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare local keys under " + data, e);
        }
    }

    private <T extends AutoCloseable> T remember(T resource) {
        started.push(resource);
        return resource;
    }

    /** {@code port} if it is free, else any free port (so a demo runs beside a running local stack). */
    private static int free(int port) {
        if (port == 0) return 0;
        try (ServerSocket socket = new ServerSocket(port)) {
            socket.setReuseAddress(true);
            return port;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Where the workers' {@code /health/*} and {@code /metrics} are served. */
    public URI opsUrl() {
        return URI.create("http://localhost:" + ops.port());
    }

    public URI apiUrl() {
        return URI.create("http://localhost:" + producer.port());
    }

    /** The API token in plaintext (from RESEAL_API_TOKEN, or generated for this run). */
    public String apiToken() {
        return apiToken;
    }

    public boolean tokenGenerated() {
        return tokenGenerated;
    }

    public ResealConfig config() {
        return config;
    }

    /** Where received mail is saved, or {@code null} when a real SMTP server is used. */
    public Path mailDir() {
        return mailDir;
    }

    public Path data() {
        return data;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable resource = started.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}

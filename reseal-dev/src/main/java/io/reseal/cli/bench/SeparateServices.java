package io.reseal.cli.bench;

import io.reseal.cli.ResealCommand;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.embedded.EmbeddedS3;
import io.reseal.embedded.EmbeddedSmtp;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.ops.OpsServer;
import io.reseal.sealer.crypto.ControllerKeyPair;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The embedded Kafka, S3 and SMTP servers in this JVM, and each of the four services as its own JVM
 * ({@code reseal producer|sealer|packager|notifier} on this JVM's class path, as a container runs it), so that
 * each service's memory can be read from {@code /proc/<pid>/status}. The configuration file must refer to the
 * sealing certificate as {@code <data>/sealing-key/tls.crt} and the signing key as
 * {@code <data>/signing/package-signing.pem}; both are created here. {@link #close()} stops the services
 * (SIGTERM), then the servers. Not thread-safe.
 */
final class SeparateServices implements AutoCloseable {

    static final List<String> SERVICES = List.of("producer", "sealer", "packager", "notifier");
    private static final String S3_ACCESS_KEY = "reseal-bench";

    private final List<AutoCloseable> servers = new ArrayList<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final String token = "bench-" + UUID.randomUUID();
    private final Path mailDir;
    private final int apiPort;

    SeparateServices(Path data, Path config) throws IOException {
        ControllerKeyPair.generate("reseal-bench", 4096, Instant.now(), new SecureRandom()).writeTo(data.resolve("sealing-key"));
        PackageSigner.loadOrGenerate(data.resolve("signing"));
        EmbeddedKafka kafka = start(new EmbeddedKafka());
        kafka.start();
        EmbeddedS3 s3 = start(new EmbeddedS3(S3_ACCESS_KEY, UUID.randomUUID().toString(), data.resolve("s3"), 0));
        s3.start();
        mailDir = data.resolve("mail");
        EmbeddedSmtp smtp = start(new EmbeddedSmtp(0, mailDir));
        smtp.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            apiPort = socket.getLocalPort();
        }
        Map<String, String> environment = Map.of(
                "RESEAL_CONFIG", config.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "S3_ENDPOINT", s3.endpoint().toString(),
                "S3_ACCESS_KEY", s3.accessKey(),
                "S3_SECRET_KEY", s3.secretKey(),
                "SMTP_HOST", smtp.host(),
                "SMTP_PORT", Integer.toString(smtp.port()),
                "API_PORT", Integer.toString(apiPort),
                "RESEAL_API_TOKEN", token);
        for (String service : SERVICES) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    ResealCommand.class.getName(), service)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve(service + ".log").toFile()));
            builder.environment().putAll(environment);
            builder.environment().put(OpsServer.PORT_VARIABLE, "0");
            processes.put(service, builder.start());
        }
        awaitReady(Duration.ofMinutes(2));
    }

    private <T extends AutoCloseable> T start(T server) {
        servers.add(server);
        return server;
    }

    /** Waits until the API answers ready, then a little longer for the workers' consumer groups to settle. */
    private void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            processes.forEach((service, process) -> {
                if (!process.isAlive()) throw new IllegalStateException(service + " exited with " + process.exitValue());
            });
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(apiUrl() + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the services", e);
            }
            if (Instant.now().isAfter(deadline)) throw new IOException("the services were not ready within " + timeout);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the services", e);
            }
        }
    }

    URI apiUrl() {
        return URI.create("http://localhost:" + apiPort);
    }

    String apiToken() {
        return token;
    }

    Path mailDir() {
        return mailDir;
    }

    /** Each service's peak resident memory so far (VmHWM), in MB. */
    Map<String, Long> peakRssMb() throws IOException {
        Map<String, Long> peaks = new LinkedHashMap<>();
        for (var entry : processes.entrySet()) {
            peaks.put(entry.getKey(), BenchFanoutCommand.peakRssMb(Path.of("/proc", Long.toString(entry.getValue().pid()), "status")));
        }
        return peaks;
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroy);
        for (Process process : processes.values()) {
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (int i = servers.size() - 1; i >= 0; i--) {
            try {
                servers.get(i).close();
            } catch (Exception e) {
                System.err.println("reseal bench: stopping " + servers.get(i).getClass().getSimpleName() + ": " + e);
            }
        }
    }
}

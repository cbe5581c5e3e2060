package io.reseal.cli.bench;

import io.reseal.cli.local.LocalStack;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.cli.RotateClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reseal bench e2e}: request-to-e-mail latency on the embedded stack (Kafka, S3, SMTP and the four
 * services in this JVM, free ports, a temporary data folder). Requests one rotation of {@code financial-ml} (dev and
 * production, bundles {@code ml-platform} and {@code ghcr}: four SealedSecrets) through the HTTP API every
 * {@code 1/rate} seconds, and measures from the moment each POST is sent to the moment the SMTP server saved the
 * e-mail for the requestor. A warm-up of {@code rate} rotations is run and discarded first.
 *
 * <p>The configuration is generated ({@link #writeConfig}): the built-in sample's cluster, {@code financial-ml} and
 * those two bundles, without the sample's third bundle {@code mlflow-db}, whose values come from the PostgreSQL
 * issuer (an issuer rotates only after its previous rotation was finished, {@code rotation-unfinished} otherwise, so
 * back-to-back rotations of it cannot be requested at any rate: the bench measures the pipeline, not an issuer), and
 * with an API token of the bench's own whose {@code requestsPerMinute} does not limit the offered rate (the local
 * token's 600 would refuse a rate above 10/s with {@code 429}).
 */
@Command(name = "e2e", mixinStandardHelpOptions = true,
        description = "Request-to-e-mail latency of rotations on the embedded stack.")
public final class BenchE2eCommand implements Callable<Integer> {

    private static final String WORKFLOW = "financial-ml";
    private static final String REQUESTOR = "financial-team@example.com";

    @Option(names = "--rotations", description = "rotations to measure (default ${DEFAULT-VALUE})")
    int rotations = 200;

    @Option(names = "--rate", description = "rotations requested per second (default ${DEFAULT-VALUE})")
    double rate = 10;

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("reseal-bench-e2e");
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path config = writeConfig(data, token);
        try (LocalStack stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null,
                name -> name.equals("RESEAL_CONFIG") ? config.toString() : null, Clock.systemUTC())) {
            RotateClient client = new RotateClient(stack.apiUrl(), token, Duration.ofMillis(200));
            MailArrivals mail = new MailArrivals(stack.mailDir(), REQUESTOR);
            run(client, mail, (int) Math.max(1, rate), new ConcurrentHashMap<>());
            Map<String, Instant> sent = new ConcurrentHashMap<>();
            List<String> ids = run(client, mail, rotations, sent);
            List<Long> latencies = new ArrayList<>();
            Map<String, Instant> arrived = mail.poll();
            Instant first = Instant.MAX;
            Instant last = Instant.MIN;
            for (String id : ids) {
                latencies.add(Duration.between(sent.get(id), arrived.get(id)).toMillis());
                first = sent.get(id).isBefore(first) ? sent.get(id) : first;
                last = arrived.get(id).isAfter(last) ? arrived.get(id) : last;
            }
            latencies.sort(Long::compare);
            System.out.println("rotations=" + rotations);
            System.out.println("rate_requested_per_sec=" + rate);
            System.out.println("e2e_ms_p50=" + percentile(latencies, 50));
            System.out.println("e2e_ms_p95=" + percentile(latencies, 95));
            System.out.println("e2e_ms_p99=" + percentile(latencies, 99));
            System.out.println("e2e_ms_max=" + latencies.get(latencies.size() - 1));
            System.out.printf("rotations_per_sec=%.1f%n", rotations * 1000.0 / Duration.between(first, last).toMillis());
            return 0;
        }
    }

    /**
     * Requests {@code count} rotations at the configured rate and waits for all their e-mails; returns their ids.
     *
     * @param sent filled with the moment each rotation's POST was sent
     */
    private List<String> run(RotateClient client, MailArrivals mail, int count, Map<String, Instant> sent)
            throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(4);
        List<Future<String>> requests = new ArrayList<>();
        long period = (long) (1_000_000_000L / rate);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < count; i++) {
                long due = start + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                requests.add(senders.submit(() -> {
                    Instant at = Instant.now();
                    String id = client.rotate(WORKFLOW, List.of("dev", "production"), REQUESTOR, List.of(), "reseal bench e2e");
                    sent.put(id, at);
                    return id;
                }));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> request : requests) ids.add(request.get(60, TimeUnit.SECONDS));
            Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
            while (!mail.poll().keySet().containsAll(ids)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("not every e-mail arrived within 5 minutes");
                }
                Thread.sleep(50);
            }
            return ids;
        } finally {
            senders.shutdownNow();
        }
    }

    /** The sample's cluster, {@code financial-ml} with its two bundles that take no issued values, and the bench's token. */
    static Path writeConfig(Path data, String token) throws IOException {
        String yaml = String.format("""
                clusters:
                  - name: local
                    certificate: {file: "%1$s/sealing-key/tls.crt", refresh: PT1M}
                bundles:
                  - name: ml-platform
                    scope: strict
                    keys:
                      AWS_DEFAULT_REGION: {literal: us-east-1}
                      MLFLOW_S3_ENDPOINT_URL: {literal: "http://minio.minio.svc.cluster.local:9000"}
                      MLFLOW_TRACKING_URI: {literal: "https://mlflow.example.com"}
                  - name: ghcr
                    type: kubernetes.io/dockerconfigjson
                    scope: namespace-wide
                    keys:
                      .dockerconfigjson: {file: "%1$s/demo/ghcr-dockerconfig.json"}
                workflows:
                  - name: %2$s
                    requestor: %3$s
                    bundles: [ml-platform, ghcr]
                    environments:
                      dev: {contacts: [ml-oncall@example.com]}
                      production: {}
                api:
                  tokens:
                    - {name: bench, sha256: %4$s, workflows: ["%2$s"], requestsPerMinute: 1000000}
                s3:
                  bucket: reseal-packages
                  linkExpiry: P7D
                  signingKey: "%1$s/signing/package-signing.pem"
                smtp:
                  from: reseal@localhost
                """, data, WORKFLOW, REQUESTOR, ProducerConfig.ApiToken.sha256Hex(token));
        Path file = data.resolve("reseal-bench-e2e.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    static long percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}

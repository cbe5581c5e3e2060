package io.reseal.cli.bench;

import io.reseal.cli.local.LocalStack;
import io.reseal.producer.cli.RotateClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code reseal bench fanout --namespaces 1000}: one platform-wide rotation of one bundle across
 * {@code namespaces / 2} workflows with two environments each (subscriptions from a generated config file), on
 * embedded servers. Measures from the POST of {@code "workflow": "*"} to the moment the SMTP server saved the
 * last of the e-mails (one per workflow), and reports peak resident memory (VmHWM of /proc/<pid>/status). By
 * default the four services run in this JVM with the servers ({@code LocalStack}), so the one figure,
 * {@code peak_rss_mb_all_services}, covers all of them; with {@code --separate-jvms} each service runs as its
 * own JVM and gets its own {@code peak_rss_mb_<service>} line.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "One platform-wide rotation across many subscribed namespaces, on the embedded stack.")
public final class BenchFanoutCommand implements Callable<Integer> {

    static final String BUNDLE = "ml-platform";
    static final String REQUESTOR = "platform-team@example.com";

    @Option(names = "--namespaces", description = "subscribed namespaces, two per workflow (default ${DEFAULT-VALUE})")
    int namespaces = 1000;

    @Option(names = "--separate-jvms", description = "run each service as its own JVM and report each one's peak memory")
    boolean separateJvms;

    @Override
    public Integer call() throws Exception {
        if (namespaces < 2 || namespaces % 2 != 0) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--namespaces must be an even number of at least 2");
        }
        int workflows = namespaces / 2;
        Path data = Files.createTempDirectory("reseal-bench-fanout");
        Path config = writeConfig(data, workflows);
        if (separateJvms) {
            try (SeparateServices services = new SeparateServices(data, config)) {
                measure(services.apiUrl(), services.apiToken(), services.mailDir(), workflows);
                services.peakRssMb().forEach((service, mb) -> System.out.println("peak_rss_mb_" + service + "=" + mb));
            }
        } else {
            try (LocalStack stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null,
                    name -> name.equals("RESEAL_CONFIG") ? config.toString() : null, Clock.systemUTC())) {
                measure(stack.apiUrl(), stack.apiToken(), stack.mailDir(), workflows);
                System.out.println("peak_rss_mb_all_services=" + peakRssMb(Path.of("/proc/self/status")));
            }
        }
        return 0;
    }

    private void measure(URI api, String token, Path mailDir, int workflows) throws Exception {
        RotateClient client = new RotateClient(api, token, Duration.ofMillis(200));
        MailArrivals mail = new MailArrivals(mailDir, REQUESTOR);
        Instant requested = Instant.now();
        client.rotate("*", List.of(), REQUESTOR, List.of(BUNDLE), "reseal bench fanout");
        Instant deadline = requested.plus(Duration.ofMinutes(10));
        Map<String, Instant> arrived = mail.poll();
        while (arrived.size() < workflows) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("only " + arrived.size() + " of " + workflows + " e-mails within 10 minutes");
            }
            Thread.sleep(200);
            arrived = mail.poll();
        }
        Instant last = arrived.values().stream().max(Instant::compareTo).orElseThrow();
        System.out.println("namespaces=" + namespaces);
        System.out.println("workflows=" + workflows);
        System.out.printf("fanout_seconds=%.1f%n", Duration.between(requested, last).toMillis() / 1000.0);
    }

    /** A configuration with {@code workflows} workflows (dev and production each) that all receive one bundle. */
    static Path writeConfig(Path data, int workflows) throws IOException {
        StringBuilder yaml = new StringBuilder();
        yaml.append("clusters:\n  - name: local\n    certificate: {file: \"").append(data.resolve("sealing-key/tls.crt"))
                .append("\", refresh: PT10M}\n");
        yaml.append("bundles:\n  - name: ").append(BUNDLE).append("\n    keys:\n")
                .append("      AWS_ACCESS_KEY_ID: {generate: {kind: token, length: 20}}\n")
                .append("      AWS_SECRET_ACCESS_KEY: {generate: {kind: base64, length: 30}}\n")
                .append("      MLFLOW_TRACKING_PASSWORD: {generate: {kind: password, length: 32}}\n");
        yaml.append("workflows:\n");
        for (int i = 1; i <= workflows; i++) {
            yaml.append(String.format("  - name: team-%04d%n    requestor: team-%04d@example.com%n    bundles: [%s]%n"
                    + "    environments: {dev: {}, production: {}}%n", i, i, BUNDLE));
        }
        yaml.append("s3:\n  bucket: reseal-packages\n  linkExpiry: P7D\n  signingKey: \"")
                .append(data.resolve("signing/package-signing.pem")).append("\"\n");
        yaml.append("smtp:\n  from: reseal@localhost\n");
        Path file = data.resolve("reseal-fanout.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** VmHWM (peak resident set size) from a {@code /proc/<pid>/status} file, in MB. */
    static long peakRssMb(Path procStatus) throws IOException {
        for (String line : Files.readAllLines(procStatus)) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }
}

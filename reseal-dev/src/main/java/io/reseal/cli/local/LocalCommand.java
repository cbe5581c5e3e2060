package io.reseal.cli.local;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code reseal local}: the whole system on this machine, kept running until Ctrl-C. */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run Kafka, S3, SMTP (embedded unless their variables are set) and the four services until Ctrl-C.")
public final class LocalCommand implements Callable<Integer> {

    @Option(names = "--api-port", defaultValue = "8080", description = "API port (default ${DEFAULT-VALUE})") int apiPort;
    @Option(names = "--kafka-port", defaultValue = "9092", description = "embedded Kafka port (default ${DEFAULT-VALUE})") int kafkaPort;
    @Option(names = "--s3-port", defaultValue = "9000", description = "embedded S3 port (default ${DEFAULT-VALUE})") int s3Port;
    @Option(names = "--smtp-port", defaultValue = "2525", description = "embedded SMTP port (default ${DEFAULT-VALUE})") int smtpPort;
    @Option(names = "--ops-port", defaultValue = "8081", description = "workers' /health and /metrics port (default ${DEFAULT-VALUE})") int opsPort;
    @Option(names = "--bind", description = "address the API and ops endpoint listen on (default RESEAL_BIND_ADDRESS or 127.0.0.1;"
            + " 0.0.0.0 opens them to the network)") String bind;

    /** The local data folder: {@code -Dreseal.data}, set by ./reseal to {@code reseal-data/} at the repository root. */
    static Path dataDir() {
        return Path.of(System.getProperty("reseal.data", "reseal-data")).toAbsolutePath();
    }

    @Override
    public Integer call() throws Exception {
        Path data = dataDir();
        LocalStack stack = LocalStack.start(data, new LocalStack.Ports(apiPort, kafkaPort, s3Port, smtpPort, opsPort),
                data.resolve("kafka"), name -> bind != null && name.equals(LocalStack.BIND_VARIABLE) ? bind : System.getenv(name),
                Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "reseal-local-shutdown"));
        var c = stack.config();
        System.out.println("Reseal is running. Ctrl-C stops it; state is kept in " + data);
        System.out.println("  API:    " + stack.apiUrl());
        System.out.println("  Ops:    " + stack.opsUrl() + "/metrics (workers' /health/live, /health/ready)");
        System.out.println("  Kafka:  " + c.kafka().bootstrapServers());
        System.out.println("  S3:     " + c.packager().endpoint() + " (bucket " + c.packager().bucket() + ")");
        System.out.println("  SMTP:   " + c.notifier().host() + ":" + c.notifier().port()
                + (stack.mailDir() != null ? " (mail saved in " + stack.mailDir() + ")" : ""));
        System.out.println("  API token: " + (stack.tokenGenerated()
                ? "generated for this run, not stored; it is in the export line below (shown this once)"
                : "from RESEAL_API_TOKEN"));
        System.out.println();
        System.out.println("Next:");
        System.out.println("  export RESEAL_API_TOKEN=" + (stack.tokenGenerated() ? stack.apiToken() : "<your token>"));
        System.out.println("  ./reseal rotate financial-ml dev,production financial-team@example.com --wait"
                + (apiPort != 8080 ? " --api " + stack.apiUrl() : ""));
        stopped.await();
        return 0;
    }
}

package io.reseal.cli.bench;

import io.reseal.cli.UserFacingException;
import io.reseal.sealer.crypto.ControllerKeyPair;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.crypto.SealingProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code reseal bench seal}: how fast the sealer seals, read against the machine's physical limit.
 *
 * <p>Prints, as {@code name=value} lines on stdout: {@code sealing_provider} (which {@link SealingProvider} did
 * the RSA and AES-GCM work: {@code conscrypt} or {@code jdk}, chosen with {@code --provider}), {@code seal_ops_per_sec} (one thread sealing 32-byte
 * values with a 4096-bit key, the full kubeseal hybrid scheme: fresh AES key, RSA-OAEP SHA-256, AES-GCM; per
 * second of the thread's user CPU time, the divisor {@code openssl speed} uses, so that a machine shared with
 * other work does not skew the ratio) and {@code seal_ops_per_sec_wall} (the same run per wall-clock second),
 * {@code seal_ops_per_sec_all_cores} (one thread per core, per wall-clock second: what the machine delivers),
 * {@code openssl_rsa4096_public_ops_per_sec} (the {@code verify/s} of {@code openssl speed rsa4096}, raw
 * public-key operations in native code) and {@code seal_vs_openssl_ratio}; then {@code process_per_value_ms},
 * the wall time of one {@code openssl pkeyutl -encrypt} process per value (the same RSA-OAEP work, a lower
 * bound for the one-kubeseal-call-per-secret script) next to {@code in_process_per_value_ms} (wall-clock).
 * Each timed phase follows a warm-up of the same length and at least {@code --warm-up-seals} seals, so that
 * the JIT has compiled the sealing path. Needs {@code openssl} on the PATH (or {@code --openssl}).
 */
@Command(name = "seal", mixinStandardHelpOptions = true,
        description = "Sealing throughput (one thread, all cores) against openssl's RSA public-key speed and a process per value.")
public final class SealBench implements Callable<Integer> {

    private static final int VALUE_BYTES = 32;
    private static final String LABEL = "bench-namespace/bench-secret";

    @Option(names = "--seconds", defaultValue = "5", description = "length of each timed phase and of its warm-up (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--openssl-seconds", defaultValue = "3", description = "openssl speed -seconds (default ${DEFAULT-VALUE})")
    int opensslSeconds;

    @Option(names = "--processes", defaultValue = "50", description = "openssl pkeyutl processes to time (default ${DEFAULT-VALUE})")
    int processes;

    @Option(names = "--warm-up-seals", defaultValue = "20000",
            description = "seals before each timed phase at least, however long it takes (default ${DEFAULT-VALUE})")
    int warmUpSeals;

    @Option(names = "--bits", defaultValue = "4096", description = "RSA key size (default ${DEFAULT-VALUE}, the controller's)")
    int bits;

    @Option(names = "--provider", description = "CONSCRYPT or JDK (default: Conscrypt where its native library loads)")
    SealingProvider provider;

    @Option(names = "--openssl", defaultValue = "openssl", description = "the openssl executable (default ${DEFAULT-VALUE})")
    String openssl;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SecureRandom random = new SecureRandom();
        err.println("bench seal: generating a " + bits + "-bit key ...");
        err.flush();
        RSAPublicKey key = (RSAPublicKey) ControllerKeyPair.generate("reseal-bench", bits, Instant.now(), random)
                .keys().getPublic();
        byte[] value = new byte[VALUE_BYTES];
        random.nextBytes(value);
        HybridEncryption encryption = new HybridEncryption(random, provider != null ? provider : SealingProvider.preferred());
        Duration phase = Duration.ofNanos((long) (seconds * 1_000_000_000L));
        int cores = Runtime.getRuntime().availableProcessors();

        warmUp(encryption, key, value, phase);
        Rate single = sealFor(encryption, key, value, phase);
        double allCores = sealOnEveryCore(encryption, key, value, phase, cores);
        line(out, "sealing_provider", encryption.provider().name().toLowerCase(Locale.ROOT));
        line(out, "key_bits", Integer.toString(bits));
        line(out, "value_bytes", Integer.toString(VALUE_BYTES));
        line(out, "cores", Integer.toString(cores));
        line(out, "seal_ops_per_sec", whole(single.perCpuSecond()));
        line(out, "seal_ops_per_sec_wall", whole(single.perWallSecond()));
        line(out, "seal_ops_per_sec_all_cores", whole(allCores));

        double opensslOps = opensslPublicOpsPerSecond();
        line(out, "openssl_rsa" + bits + "_public_ops_per_sec", whole(opensslOps));
        line(out, "seal_vs_openssl_ratio", String.format(Locale.ROOT, "%.3f", single.perCpuSecond() / opensslOps));

        line(out, "process_per_value_ms", String.format(Locale.ROOT, "%.3f", processPerValueMillis(key, value)));
        line(out, "in_process_per_value_ms", String.format(Locale.ROOT, "%.4f", 1000.0 / single.perWallSecond()));
        return 0;
    }

    /** Seals for {@code phase} and at least {@code --warm-up-seals} times, not timed. */
    private void warmUp(HybridEncryption encryption, RSAPublicKey key, byte[] value, Duration phase) {
        long end = System.nanoTime() + phase.toNanos();
        for (int i = 0; i < warmUpSeals || System.nanoTime() < end; i++) {
            encryption.seal(value, LABEL, key);
        }
    }

    /** Seals with the calling thread for {@code phase} (wall clock). */
    private static Rate sealFor(HybridEncryption encryption, RSAPublicKey key, byte[] value, Duration phase) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadUserTime();
        long start = System.nanoTime();
        long end = start + phase.toNanos();
        long count = 0;
        long now;
        do {
            encryption.seal(value, LABEL, key);
            count++;
            now = System.nanoTime();
        } while (now < end);
        return new Rate(count, now - start, threads.getCurrentThreadUserTime() - cpuStart);
    }

    /** Warms up and then seals on {@code threads} threads at once for {@code phase}; their summed seals per second. */
    private double sealOnEveryCore(HybridEncryption encryption, RSAPublicKey key, byte[] value, Duration phase,
                                          int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> warmUp = new ArrayList<>();
            for (int i = 0; i < threads; i++) warmUp.add(pool.submit(() -> warmUp(encryption, key, value, phase)));
            for (Future<?> f : warmUp) f.get();
            List<Future<Rate>> timed = new ArrayList<>();
            for (int i = 0; i < threads; i++) timed.add(pool.submit(() -> sealFor(encryption, key, value, phase)));
            double sum = 0;
            for (Future<Rate> f : timed) sum += f.get().perWallSecond();
            return sum;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code verify/s} of {@code openssl speed -seconds N rsa<bits>}. */
    private double opensslPublicOpsPerSecond() throws IOException, InterruptedException {
        String output = run(List.of(openssl, "speed", "-seconds", Integer.toString(opensslSeconds), "rsa" + bits), new byte[0]);
        String[] header = null;
        for (String line : output.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.contains("verify/s")) {
                header = trimmed.split("\\s+");
            } else if (header != null && trimmed.startsWith("rsa " + bits + " bits")) {
                String[] fields = trimmed.split("\\s+");
                int fromEnd = header.length - indexOf(header, "verify/s");
                return Double.parseDouble(fields[fields.length - fromEnd]);
            }
        }
        throw new UserFacingException("cannot find verify/s for rsa" + bits + " in the output of openssl speed");
    }

    /** Wall time of one {@code openssl pkeyutl -encrypt} process (RSA-OAEP SHA-256, MGF1 SHA-256, label) per value. */
    private double processPerValueMillis(RSAPublicKey key, byte[] value) throws IOException, InterruptedException {
        Path publicKey = Files.createTempFile("reseal-bench-", ".pub.pem");
        try {
            Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                    + "\n-----END PUBLIC KEY-----\n", StandardCharsets.US_ASCII);
            List<String> command = List.of(openssl, "pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey.toString(),
                    "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256",
                    "-pkeyopt", "rsa_oaep_label:" + HexFormat.of().formatHex(LABEL.getBytes(StandardCharsets.UTF_8)));
            run(command, value);
            long start = System.nanoTime();
            for (int i = 0; i < processes; i++) {
                run(command, value);
            }
            return (System.nanoTime() - start) / 1e6 / processes;
        } finally {
            Files.deleteIfExists(publicKey);
        }
    }

    /** Runs {@code command} with {@code stdin}; its stdout, or a one-line error when it cannot run or fails. */
    private static String run(List<String> command, byte[] stdin) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UserFacingException("cannot run " + command.get(0) + ": " + e.getMessage());
        }
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        }
        String output;
        try (InputStream out = process.getInputStream()) {
            output = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        int exit = process.waitFor();
        if (exit != 0) {
            throw new UserFacingException(String.join(" ", command.subList(0, 2)) + " exited with " + exit);
        }
        return output;
    }

    /** {@code ops} seals in {@code wallNanos} of wall-clock time and {@code cpuNanos} of the thread's user CPU time. */
    private record Rate(long ops, long wallNanos, long cpuNanos) {

        double perWallSecond() {
            return ops * 1e9 / wallNanos;
        }

        double perCpuSecond() {
            return ops * 1e9 / Math.max(cpuNanos, 1);
        }
    }

    private static int indexOf(String[] array, String wanted) {
        for (int i = 0; i < array.length; i++) {
            if (array[i].equals(wanted)) return i;
        }
        return -1;
    }

    private static String whole(double value) {
        return Long.toString(Math.round(value));
    }

    private static void line(PrintWriter out, String name, String value) {
        out.println(name + "=" + value);
        out.flush();
    }
}

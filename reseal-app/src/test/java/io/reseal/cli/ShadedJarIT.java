package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** The jar the image runs ({@code reseal-app/target/reseal.jar}): its entry point, its commands, no test server inside, and its log format switch. */
class ShadedJarIT {

    private static final Path JAR = Path.of("target", "reseal.jar").toAbsolutePath();

    @Test
    void theJarStartsResealCommandWithTheFourServices() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(ResealCommand.class.getName());
        }
        Run help = run(List.of("--help"), Map.of());
        assertThat(help.exitCode()).isZero();
        assertThat(help.stdout()).contains("producer", "sealer", "packager", "notifier", "rotate", "status", "verify",
                "seal", "unseal").doesNotContain("demo", "local", "bench");
    }

    /** Where the classes of each test server would be, had one of them come in with a dependency. */
    private static final List<String> TEST_SERVER_PACKAGES = List.of(
            "io/reseal/embedded/",                              // embedded-servers
            "kafka/server/", "org/apache/kafka/raft/", "org/apache/kafka/controller/", // the Kafka broker
            "org/gaul/s3proxy/", "org/eclipse/jetty/",           // s3proxy and its Jetty
            "com/icegreen/greenmail/",                          // GreenMail
            "io/fabric8/kubernetes/client/server/mock/", "io/fabric8/mockwebserver/",
            "org/testcontainers/", "io/zonky/",               // Testcontainers, embedded PostgreSQL
            "org/eclipse/jgit/http/server/");                   // JGit's HTTP server

    @Test
    void theJarHoldsNoClassOfATestServer() throws Exception {
        try (JarFile jar = new JarFile(JAR.toFile())) {
            List<String> classes = jar.stream().map(java.util.jar.JarEntry::getName)
                    .filter(name -> name.endsWith(".class")).toList();
            assertThat(classes).as("the jar's classes").hasSizeGreaterThan(1000)
                    .contains(ResealCommand.class.getName().replace('.', '/') + ".class");
            assertThat(classes).filteredOn(name -> TEST_SERVER_PACKAGES.stream().anyMatch(name::startsWith)).isEmpty();
        }
    }

    @Test
    void eachServiceCommandStartsReadsItsConfigurationAndRefusesABadOneWithExitCode2() throws Exception {
        Path badConfig = Files.createTempFile("reseal-bad", ".yaml");
        Files.writeString(badConfig, "kafka:\n  bootstrapServers: 127.0.0.1:1\nnoSuchSection: {}\n");
        Map<String, String> missingConfig = Map.of("RESEAL_CONFIG", JAR.resolveSibling("no-such-reseal.yaml").toString());
        try {
            for (String service : List.of("producer", "sealer", "packager", "notifier")) {
                Run help = run(List.of(service, "--help"), Map.of());
                assertThat(help.exitCode()).as(service + " --help").isZero();
                assertThat(help.stdout()).as(service + " --help").contains("Usage: reseal " + service);

                Run missing = run(List.of(service), missingConfig);
                assertThat(missing.exitCode()).as(service + " without its configuration file").isEqualTo(2);
                assertThat(missing.stderr()).as(service).contains("starting " + service + " with configuration")
                        .contains("no-such-reseal.yaml: no such configuration file");

                // parsing the file runs the YAML and JSON libraries the jar must carry
                Run bad = run(List.of(service), Map.of("RESEAL_CONFIG", badConfig.toString()));
                assertThat(bad.exitCode()).as(service + " with an unknown section: " + bad.stderr()).isEqualTo(2);
                assertThat(bad.stderr()).as(service).contains("noSuchSection");
            }
        } finally {
            Files.delete(badConfig);
        }
    }

    /**
     * The packager reads its {@code ssh://} deliveries' keys at start-up, before it connects to anything: an Ed25519
     * key (openssl's PKCS#8 PEM) that only JGit's SSH client, sshd and Bouncy Castle inside the jar can read. With
     * the key read, what stops it is the next check, knownHosts without a line for the host.
     */
    @Test
    void thePackagerInTheJarReadsAnEd25519SshKeyAtStartUp() throws Exception {
        Path dir = Files.createTempDirectory("reseal-ssh-jar");
        try {
            Path key = dir.resolve("git-ssh-key");
            Process openssl = new ProcessBuilder("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString())
                    .redirectErrorStream(true).start();
            assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(openssl.exitValue()).as("openssl genpkey").isZero();
            Path config = Files.writeString(dir.resolve("reseal.yaml"), """
                    kafka: {bootstrapServers: 127.0.0.1:1}
                    s3: {endpoint: http://127.0.0.1:1, accessKey: a, secretKey: b, bucket: reseal-packages,
                         signingKey: %s}
                    workflows:
                      - name: financial-ml
                        environments: {dev: {}}
                        delivery:
                          git:
                            url: git@git.example.com:financial/deploy.git
                            credentials: {sshKey: {file: %s}}
                            knownHosts: {literal: "other.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"}
                    """.formatted(dir.resolve("signing.pem"), key));
            String keyText = Files.readString(key).lines().skip(1).findFirst().orElseThrow();

            Run read = run(List.of("packager"), Map.of("RESEAL_CONFIG", config.toString()));
            Files.writeString(key, "not a key\n");
            Run unreadable = run(List.of("packager"), Map.of("RESEAL_CONFIG", config.toString()));

            assertThat(read.exitCode()).isEqualTo(2);
            assertThat(read.stderr()).contains("workflows.financial-ml.delivery.git.knownHosts: no line for git.example.com")
                    .doesNotContain(keyText);
            assertThat(unreadable.exitCode()).isEqualTo(2);
            assertThat(unreadable.stderr()).contains("workflows.financial-ml.delivery.git.credentials.sshKey: file "
                    + key + " holds no private key");
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void logLinesAreJsonWithResealLogFormatJsonAndTextOtherwise() throws Exception {
        Map<String, String> missingConfig = Map.of("RESEAL_CONFIG", JAR.resolveSibling("no-such-reseal.yaml").toString());

        Run json = run(List.of("sealer"), merge(missingConfig, Map.of("RESEAL_LOG_FORMAT", "json")));
        assertThat(json.exitCode()).isEqualTo(2);
        JsonNode line = new ObjectMapper().readTree(json.stderr().lines().findFirst().orElseThrow());
        assertThat(line.path("message").asText()).startsWith("starting sealer with configuration");
        assertThat(line.path("log.level").asText()).isEqualTo("INFO");

        Run text = run(List.of("sealer"), missingConfig);
        assertThat(text.exitCode()).isEqualTo(2);
        assertThat(text.stderr()).contains("INFO").contains("starting sealer with configuration").doesNotContain("{\"");
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> merged = new java.util.HashMap<>(a);
        merged.putAll(b);
        return merged;
    }

    /** What a run printed: {@code stdout} is the command's output, {@code stderr} its log lines. */
    private record Run(int exitCode, String stdout, String stderr) {}

    private static Run run(List<String> args, Map<String, String> env) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-jar",
                JAR.toString()));
        command.addAll(args);
        java.io.File errors = java.io.File.createTempFile("reseal-stderr", ".log");
        errors.deleteOnExit();
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors);
        builder.environment().remove("RESEAL_LOG_FORMAT");
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out, java.nio.file.Files.readString(errors.toPath()));
    }
}

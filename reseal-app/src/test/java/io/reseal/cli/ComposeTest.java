package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.pipeline.ops.OpsServer;
import io.reseal.sealer.values.ValueSource;
import io.reseal.sealer.BundleConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * The compose stack as written: valid YAML, every Reseal service gets only variables it reads, the mounted
 * reseal.yaml loads for each service with that service's variables, and the image's entry point exists.
 */
class ComposeTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path COMPOSE = ROOT.resolve("compose");
    private static final Map<String, ServiceCommand> SERVICES = Map.of(
            "producer", new ServiceCommand.Producer(), "sealer", new ServiceCommand.Sealer(),
            "packager", new ServiceCommand.Packager(), "notifier", new ServiceCommand.Notifier());
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*)|(:\\?[^}]*))?}");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|TOKEN|DOCKERCONFIGJSON).*");
    private static final Pattern REQUIRED = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):\\?set \\1}");

    private final JsonNode compose = read(COMPOSE.resolve("docker-compose.yml"));

    @Test
    void theFourServicesRunTheImageWithTheirCommandAndAHealthCheck() {
        Set<String> commands = ResealCommand.commandLine().getSubcommands().keySet();
        SERVICES.forEach((name, command) -> {
            JsonNode service = compose.path("services").path(name);
            assertThat(service.isObject()).as(name).isTrue();
            assertThat(service.path("image").asText()).as(name).isEqualTo("reseal:local");
            assertThat(service.path("build").path("context").asText()).as(name).isEqualTo("..");
            assertThat(ROOT.resolve(service.path("build").path("dockerfile").asText())).as(name).isRegularFile();
            String subcommand = service.path("command").path(0).asText();
            assertThat(subcommand).as(name).isEqualTo(name);
            assertThat(commands).as(name).contains(subcommand);
            assertThat(service.path("read_only").asBoolean()).as(name + " read_only").isTrue();
            String port = name.equals("producer") ? "8080" : environment(name).get(OpsServer.PORT_VARIABLE);
            assertThat(service.path("healthcheck").path("test").toString()).as(name)
                    .contains("http://localhost:" + port + "/health/live");
        });
        assertThat(compose.path("services").path("kafka").path("image").asText()).startsWith("apache/kafka:4.");
        assertThat(compose.path("services").path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .isEqualTo("broker,controller");
        assertThat(compose.path("services").path("minio").isObject()).isTrue();
        assertThat(compose.path("services").path("mailpit").path("image").asText()).startsWith("axllent/mailpit");
    }

    @Test
    void everyHostPortIsBoundToLoopbackUnlessToldOtherwise() {
        java.util.List<String> ports = new java.util.ArrayList<>();
        compose.path("services").forEach(service -> service.path("ports").forEach(port -> ports.add(port.asText())));

        assertThat(ports).isNotEmpty().allSatisfy(port ->
                assertThat(port).startsWith("${RESEAL_BIND_ADDRESS:-127.0.0.1}:"));
    }

    @Test
    void thePackagerMountsNoVolumeThatHoldsTheSealingKey() {
        // the keys service writes the stand-in controller's private key here; only the package signing key is the packager's
        String sealingKey = "/var/lib/reseal/keys/sealing/tls.key";
        Map<String, String> keysMounts = new java.util.HashMap<>();
        compose.path("services").path("keys").path("volumes").forEach(v -> {
            String[] parts = v.asText().split(":");
            keysMounts.put(parts[0], parts[1]);
        });
        java.util.List<String> packagerVolumes = new java.util.ArrayList<>();
        compose.path("services").path("packager").path("volumes").forEach(v -> packagerVolumes.add(v.asText()));

        assertThat(packagerVolumes).anySatisfy(v -> assertThat(v).endsWith(":/var/lib/reseal/keys/signing:ro"));
        assertThat(packagerVolumes).allSatisfy(v -> {
            String source = v.split(":")[0];
            assertThat(keysMounts.containsKey(source) && sealingKey.startsWith(keysMounts.get(source) + "/"))
                    .as("packager volume %s holds %s", v, sealingKey).isFalse();
        });
    }

    @Test
    void noPasswordTokenOrSecretHasAValueInTheFile() {
        Map<String, String> secrets = new HashMap<>();
        compose.path("services").forEach(service -> service.path("environment").fields().forEachRemaining(e -> {
            if (SECRET_NAME.matcher(e.getKey()).matches()) {
                secrets.put(e.getKey(), e.getValue().asText());
            }
        }));

        assertThat(secrets).containsKeys("MINIO_ROOT_PASSWORD", "RESEAL_API_TOKEN", "S3_SECRET_KEY",
                "MLFLOW_TRACKING_PASSWORD", "GHCR_DOCKERCONFIGJSON");
        secrets.forEach((name, value) -> assertThat(value).as(name).matches(REQUIRED));
    }

    @Test
    void everyVariableAServiceGetsIsOneItReads() {
        SERVICES.forEach((name, command) -> assertThat(environment(name).keySet()).as(name)
                .isNotEmpty()
                .isSubsetOf(variablesRead(name, command)));
    }

    @Test
    void theMountedConfigurationLoadsForEachServiceWithItsVariables() {
        Path config = COMPOSE.resolve("reseal.yaml");
        SERVICES.forEach((name, command) -> {
            assertThat(compose.path("services").path(name).path("volumes").toString()).as(name)
                    .contains("./reseal.yaml:/etc/reseal/reseal.yaml:ro");
            assertThat(environment(name)).as(name).containsEntry("RESEAL_CONFIG", "/etc/reseal/reseal.yaml");
            ResealConfig loaded = ConfigLoader.loadSections(config, environment(name)::get, command.sections());
            assertThat(loaded.kafka().bootstrapServers()).as(name).isEqualTo("kafka:9092");
        });
        Map<String, String> all = new HashMap<>();
        SERVICES.keySet().forEach(name -> all.putAll(environment(name)));
        ResealConfig whole = ConfigLoader.load(config, all::get);
        assertThat(whole.packager().endpoint()).hasToString("http://minio:9000");
        assertThat(whole.notifier().host()).isEqualTo("mailpit");
        assertThat(whole.sealer().bundles()).extracting(BundleConfig::name).containsExactly("ml-platform", "ghcr");
    }

    @Test
    void theImageEntryPointIsTheShadedJarWithTheResealCommand() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        assertThat(dockerfile).contains("ENTRYPOINT [\"java\",\"-jar\",\"/app/reseal.jar\"]");
        assertThat(dockerfile).contains("COPY --from=build /src/reseal-app/target/reseal.jar /app/reseal.jar");
        assertThat(dockerfile).containsPattern("(?m)^USER 10001");
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("reseal-app/pom.xml").toFile());
        assertThat(pom.getElementsByTagName("outputFile").item(0).getTextContent())
                .isEqualTo("${project.build.directory}/reseal.jar");
        assertThat(pom.getElementsByTagName("mainClass").item(0).getTextContent()).isEqualTo(ResealCommand.class.getName());
    }

    /** Docker cannot run everywhere CI does: CI runs the image's build command itself, word for word. */
    @Test
    void ciRunsTheDockerfilesBuildCommand() throws Exception {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        Matcher build = Pattern.compile("(?m)^\\s*(mvn .*-pl reseal-app .*package)\\s*$").matcher(dockerfile);
        assertThat(build.find()).as("the Dockerfile builds reseal-app with mvn").isTrue();
        String command = build.group(1).strip();
        assertThat(build.find()).as("the Dockerfile builds once").isFalse();
        assertThat(Files.readAllLines(ROOT.resolve(".ci/run"))).map(String::strip).contains(command);
    }

    /** What the service reads: its sections' overrides, the shared variables, and for the sealer its value sources. */
    private Set<String> variablesRead(String name, ServiceCommand command) {
        Set<String> read = new HashSet<>(Set.of(ServiceCommand.CONFIG_VARIABLE, "RESEAL_LOG_FORMAT", "RESEAL_LOG_LEVEL"));
        ConfigLoader.OVERRIDES.forEach((variable, path) -> {
            if (command.sections().contains(path.get(0))) read.add(variable);
        });
        if (command instanceof ServiceCommand.WorkerCommand) {
            read.add(OpsServer.PORT_VARIABLE);
        }
        if (name.equals("producer")) {
            read.add("RESEAL_API_TOKEN");
        }
        if (name.equals("sealer")) {
            ConfigLoader.loadSections(COMPOSE.resolve("reseal.yaml"), environment(name)::get, command.sections())
                    .bundles().stream()
                    .flatMap(b -> b.keys().values().stream())
                    .filter(source -> source instanceof ValueSource.Env)
                    .forEach(source -> read.add(((ValueSource.Env) source).env()));
        }
        return read;
    }

    /** The service's environment as compose would pass it, with {@code ${NAME:-default}} taken as the default. */
    private Map<String, String> environment(String service) {
        Map<String, String> env = new HashMap<>();
        compose.path("services").path(service).path("environment").fields().forEachRemaining(e -> {
            Matcher m = INTERPOLATION.matcher(e.getValue().asText());
            // a required variable (${VAR:?...}) stands for a value the operator sets: a placeholder here
            env.put(e.getKey(), m.replaceAll(r -> Matcher.quoteReplacement(
                    r.group(3) != null ? "set-" + r.group(1) : r.group(2) == null ? "" : r.group(2))));
        });
        return env;
    }

    static JsonNode read(Path yaml) {
        try {
            return new YAMLMapper().readTree(yaml.toFile());
        } catch (java.io.IOException e) {
            throw new AssertionError(yaml + " is not valid YAML: " + e.getMessage(), e);
        }
    }
}

package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reseal.cli.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes: least-privilege RBAC and locked-down pods. The manifests are read twice: the files as
 * the kustomization lists them (always), and as {@code kubectl kustomize} renders them (when kubectl is on
 * the PATH). The same assertions run on both.
 */
class KubernetesManifestsTest {

    private static final Path DIR = ComposeTest.ROOT.resolve("deploy/kubernetes");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> SERVICES = Set.of("producer", "sealer", "packager", "notifier", "adoption");

    @Test
    void theFilesTheKustomizationListsAreLeastPrivilegeAndLockedDown() throws Exception {
        JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        List<JsonNode> documents = new ArrayList<>();
        for (JsonNode resource : kustomization.path("resources")) {
            documents.addAll(documents(Files.readString(DIR.resolve(resource.asText()))));
        }
        assertLeastPrivilegeAndLockedDown(documents);
        for (JsonNode generator : kustomization.path("configMapGenerator")) {
            for (JsonNode file : generator.path("files")) {
                assertThat(DIR.resolve(file.asText())).isRegularFile();
            }
        }
    }

    @Test
    void theRenderedManifestsAreLeastPrivilegeAndLockedDown() throws Exception {
        Path kubectl = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(kubectl != null, "kubectl is not on the PATH");
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", DIR.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize exit code").isZero();
        List<JsonNode> documents = documents(rendered);
        assertLeastPrivilegeAndLockedDown(documents);
        // the generated ConfigMap holds a reseal.yaml every service can load
        JsonNode configMap = ofKind(documents, "ConfigMap").get(0);
        Path config = Files.createTempFile("reseal", ".yaml");
        try {
            Files.writeString(config, configMap.path("data").path("reseal.yaml").asText());
            Map<String, String> secrets = Map.of("S3_ACCESS_KEY", "access", "S3_SECRET_KEY", "secret-key-from-the-secret");
            for (String service : SERVICES) {
                ConfigLoader.loadSections(config, secrets::get, command(service).sections());
            }
            Set<String> secretNames = new java.util.TreeSet<>();
            ConfigLoader.loadSections(config, secrets::get, command("adoption").sections()).sealer().bundles()
                    .forEach(bundle -> secretNames.add(bundle.secretName()));
            JsonNode watcherSecrets = StreamSupport.stream(named(ofKind(documents, "ClusterRole"), "reseal-adoption-watcher")
                    .path("rules").spliterator(), false).filter(r -> texts(r.path("resources")).contains("secrets"))
                    .findFirst().orElseThrow();
            assertThat(texts(watcherSecrets.path("resourceNames"))).as("the Secrets the bundles of reseal.yaml make")
                    .containsExactlyInAnyOrderElementsOf(secretNames);
        } finally {
            Files.delete(config);
        }
        ofKind(documents, "Deployment").forEach(d -> assertThat(d.path("spec").path("template").path("spec")
                .path("volumes").toString()).contains(configMap.path("metadata").path("name").asText()));
    }

    private static void assertLeastPrivilegeAndLockedDown(List<JsonNode> documents) {
        // RBAC: no wildcard, no built-in powerful role
        for (JsonNode role : concat(ofKind(documents, "Role"), ofKind(documents, "ClusterRole"))) {
            for (JsonNode rule : role.path("rules")) {
                for (String field : List.of("verbs", "resources", "apiGroups", "resourceNames")) {
                    assertThat(texts(rule.path(field))).as(name(role) + " " + field).doesNotContain("*");
                }
                if (texts(rule.path("resources")).contains("secrets") || texts(rule.path("resources")).contains("services/proxy")) {
                    assertThat(texts(rule.path("resourceNames"))).as(name(role) + ": secrets and proxy only by name").isNotEmpty();
                    assertThat(texts(rule.path("verbs"))).as(name(role) + ": secrets and proxy only read").isSubsetOf("get", "list", "watch");
                }
            }
        }
        for (JsonNode binding : concat(ofKind(documents, "RoleBinding"), ofKind(documents, "ClusterRoleBinding"))) {
            assertThat(binding.path("roleRef").path("name").asText()).as(name(binding))
                    .isNotIn("cluster-admin", "admin", "edit");
        }
        List<JsonNode> clusterRoles = ofKind(documents, "ClusterRole");
        assertThat(clusterRoles).extracting(KubernetesManifestsTest::name)
                .containsExactlyInAnyOrder("reseal-namespace-reader", "reseal-adoption-watcher");
        JsonNode namespaceReader = named(clusterRoles, "reseal-namespace-reader");
        assertThat(namespaceReader.path("rules")).hasSize(1);
        JsonNode namespaces = namespaceReader.path("rules").get(0);
        assertThat(texts(namespaces.path("resources"))).containsExactly("namespaces");
        assertThat(texts(namespaces.path("verbs"))).containsExactlyInAnyOrder("get", "list", "watch");
        // the adoption watcher only lists and watches (which rules it needs, AdoptionWatcherIT derives from its requests)
        for (JsonNode rule : named(clusterRoles, "reseal-adoption-watcher").path("rules")) {
            assertThat(texts(rule.path("verbs"))).as("reseal-adoption-watcher").containsExactlyInAnyOrder("list", "watch");
        }

        JsonNode proxy = rule(documents, "services/proxy");
        assertThat(proxy.path("metadata").path("namespace").asText()).isEqualTo("kube-system");
        assertThat(texts(proxy.path("rules").get(0).path("resourceNames"))).contains("sealed-secrets-controller");
        JsonNode secrets = rule(documents, "secrets");
        assertThat(secrets.path("metadata").path("namespace").asText()).isEqualTo("reseal");
        List<JsonNode> leaseRoles = roles(documents, "leases");
        assertThat(leaseRoles).extracting(KubernetesManifestsTest::name)
                .containsExactlyInAnyOrder("reseal-producer-leader-election", "reseal-adoption-leader-election");
        for (JsonNode leases : leaseRoles) {
            assertThat(leases.path("metadata").path("namespace").asText()).isEqualTo("reseal");
            for (JsonNode rule : leases.path("rules")) {
                assertThat(texts(rule.path("apiGroups"))).containsExactly("coordination.k8s.io");
                assertThat(texts(rule.path("verbs"))).isSubsetOf("get", "create", "patch");
            }
        }

        // pods: one Deployment per service, non-root, read-only root, limits, probes, /tmp, credentials from Secrets
        List<JsonNode> deployments = ofKind(documents, "Deployment");
        assertThat(deployments).extracting(d -> d.path("metadata").path("name").asText())
                .containsExactlyInAnyOrder("reseal-producer", "reseal-sealer", "reseal-packager", "reseal-notifier",
                        "reseal-adoption");
        Set<String> commands = ResealCommand.commandLine().getSubcommands().keySet();
        for (JsonNode deployment : deployments) {
            String name = name(deployment);
            JsonNode pod = deployment.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(pod.path("containers")).as(name).hasSize(1);
            JsonNode container = pod.path("containers").get(0);
            String service = container.path("args").get(0).asText();
            assertThat(commands).as(name).contains(service);
            assertThat(name).isEqualTo("reseal-" + service);
            JsonNode security = container.path("securityContext");
            assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as(name).isTrue();
            assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(name).isFalse();
            assertThat(security.path("runAsNonRoot").asBoolean()).as(name).isTrue();
            assertThat(texts(security.path("capabilities").path("drop"))).as(name).contains("ALL");
            for (String bound : List.of("requests", "limits")) {
                assertThat(container.path("resources").path(bound).has("cpu")).as(name + " " + bound).isTrue();
                assertThat(container.path("resources").path(bound).has("memory")).as(name + " " + bound).isTrue();
            }
            assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).as(name).isEqualTo("/health/live");
            assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).as(name).isEqualTo("/health/ready");
            assertThat(container.path("volumeMounts").toString()).as(name).contains("\"mountPath\":\"/tmp\"");
            assertThat(pod.path("volumes").toString()).as(name).contains("\"emptyDir\"");
            for (JsonNode env : container.path("env")) {
                String variable = env.path("name").asText();
                if (variable.equals("RESEAL_API_TOKEN") || variable.endsWith("_SECRET_KEY") || variable.endsWith("_ACCESS_KEY")
                        || variable.endsWith("PASSWORD")) {
                    assertThat(env.has("value")).as(name + " " + variable + " must come from a Secret").isFalse();
                    assertThat(env.path("valueFrom").has("secretKeyRef")).as(name + " " + variable).isTrue();
                }
            }
            String account = pod.path("serviceAccountName").asText();
            if (service.equals("packager") || service.equals("notifier")) {
                assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as(name + " needs no API access").isFalse();
            }
            assertThat(ofKind(documents, "ServiceAccount")).extracting(KubernetesManifestsTest::name).as(name).contains(account);
        }
    }

    private static ServiceCommand command(String service) {
        return switch (service) {
            case "producer" -> new ServiceCommand.Producer();
            case "sealer" -> new ServiceCommand.Sealer();
            case "packager" -> new ServiceCommand.Packager();
            case "adoption" -> new ServiceCommand.Adoption();
            default -> new ServiceCommand.Notifier();
        };
    }

    /** The one Role with a rule on {@code resource}. */
    private static JsonNode rule(List<JsonNode> documents, String resource) {
        List<JsonNode> roles = roles(documents, resource);
        assertThat(roles).as("Roles on " + resource).hasSize(1);
        return roles.get(0);
    }

    /** The Roles with a rule on {@code resource}. */
    private static List<JsonNode> roles(List<JsonNode> documents, String resource) {
        return ofKind(documents, "Role").stream()
                .filter(r -> StreamSupport.stream(r.path("rules").spliterator(), false)
                        .anyMatch(rule -> texts(rule.path("resources")).contains(resource)))
                .toList();
    }

    private static JsonNode named(List<JsonNode> documents, String name) {
        return documents.stream().filter(d -> name(d).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name));
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode document = it.next();
                if (document != null && document.isObject()) documents.add(document);
            }
        }
        return documents;
    }

    private static List<JsonNode> ofKind(List<JsonNode> documents, String kind) {
        return documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static List<String> texts(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }

    private static String name(JsonNode document) {
        return document.path("metadata").path("name").asText();
    }
}

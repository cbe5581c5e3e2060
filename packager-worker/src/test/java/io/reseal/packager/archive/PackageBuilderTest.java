package io.reseal.packager.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.reseal.packager.SampleRotation;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.event.RotationSealed;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PackageBuilderTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    static Path keys;

    static PackageSigner signer;
    static PackageBuilder builder;

    @BeforeAll
    static void signer() throws IOException {
        signer = PackageSigner.generate(keys);
        builder = new PackageBuilder(signer);
    }

    @Test
    void namesTheArchiveAndItsObjectKeyFromWorkflowRotationAndDay() {
        DeliveryArchive archive = builder.build(SampleRotation.sealed());

        assertThat(archive.name()).isEqualTo("financial-ml-ml-secrets-20261129.tar.gz");
        assertThat(archive.objectKey())
                .isEqualTo("financial-ml/" + SampleRotation.ROTATION_ID + "/financial-ml-ml-secrets-20261129.tar.gz");
        assertThat(archive.rotationId()).isEqualTo(SampleRotation.ROTATION_ID);
        assertThat(archive.sha256()).isEqualTo(Sha256Sums.hex(archive.bytes())).hasSize(64);
    }

    @Test
    void holdsExactlyTheDocumentedLayoutInSortedOrderWithFixedOwnersModesAndTimes() throws IOException {
        DeliveryArchive archive = builder.build(SampleRotation.sealed());

        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GzipCompressorInputStream(archive.newInputStream()))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                names.add(entry.getName());
                assertThat(entry.getLongUserId()).isZero();
                assertThat(entry.getLongGroupId()).isZero();
                assertThat(entry.getModTime().toInstant()).isEqualTo(SampleRotation.REQUESTED_AT);
                assertThat(entry.getMode() & 07777).isEqualTo(entry.isDirectory() ? 0755 : 0644);
            }
        }
        assertThat(names).containsExactly(
                "README.md",
                "SHA256SUMS",
                "SHA256SUMS.sig",
                "dev/",
                "dev/ghcr-sealed-secret.yaml",
                "dev/kustomization.yaml",
                "dev/ml-platform-sealed-secret.yaml",
                "production/",
                "production/ghcr-sealed-secret.yaml",
                "production/kustomization.yaml",
                "production/ml-platform-sealed-secret.yaml",
                "secret-reference-template.yaml");
        assertThat(archive.files()).containsExactlyElementsOf(names.stream().filter(n -> !n.endsWith("/")).toList());
    }

    @Test
    void gzipHeaderHasNoTimestampAndNoFileName() {
        byte[] bytes = builder.build(SampleRotation.sealed()).bytes();

        assertThat(bytes[0] & 0xff).isEqualTo(0x1f);
        assertThat(bytes[1] & 0xff).isEqualTo(0x8b);
        assertThat(bytes[3] & 0x08).as("FNAME flag").isZero();
        assertThat(new byte[] {bytes[4], bytes[5], bytes[6], bytes[7]}).as("MTIME").containsOnly(0);
    }

    @Test
    void sameEventGivesByteIdenticalArchives() {
        byte[] first = builder.build(SampleRotation.sealed()).bytes();
        byte[] second = new PackageBuilder(signer).build(SampleRotation.sealed()).bytes();

        assertThat(second).isEqualTo(first);
    }

    @Test
    void longestNamesStillGiveReproducibleVerifiableArchives() throws IOException {
        String environment = "e".repeat(63);
        String secret = "s".repeat(63);
        RotationSealed.Secret ghcr = SampleRotation.ghcr();
        RotationSealed sealed = withEnvironment(new RotationSealed.Environment(environment, "mlops", "c", "f",
                List.of(), List.of(new RotationSealed.Secret(secret, ghcr.type(), ghcr.scope(), ghcr.keys(),
                        ghcr.manifest().replace("name: ghcr", "name: " + secret)))));

        DeliveryArchive archive = builder.build(sealed);

        String path = environment + "/" + secret + "-sealed-secret.yaml";
        assertThat(path).hasSizeGreaterThan(100);
        assertThat(archive.files()).contains(path);
        assertThat(builder.build(sealed).bytes()).isEqualTo(archive.bytes());
        assertThat(PackageVerifier.withPublicKey(signer.publicKey()).verify(archive.newInputStream()).problems())
                .isEmpty();
    }

    @Test
    void environmentFolderHoldsTheManifestsUnchangedAndAKustomizationListingExactlyThem() throws IOException {
        Map<String, byte[]> files = files(SampleRotation.sealed());

        for (String environment : List.of("dev", "production")) {
            assertThat(text(files, environment + "/ml-platform-sealed-secret.yaml"))
                    .isEqualTo(SampleRotation.manifest("ml-platform.sealedsecret.yaml"));
            assertThat(text(files, environment + "/ghcr-sealed-secret.yaml"))
                    .isEqualTo(SampleRotation.manifest("ghcr.sealedsecret.yaml"));

            JsonNode kustomization = YAML.readTree(files.get(environment + "/kustomization.yaml"));
            assertThat(kustomization.path("apiVersion").asText()).isEqualTo("kustomize.config.k8s.io/v1beta1");
            assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
            assertThat(kustomization.path("namespace").asText()).isEqualTo("mlops");
            List<String> resources = new ArrayList<>();
            kustomization.path("resources").forEach(r -> resources.add(r.asText()));
            List<String> folder = files.keySet().stream()
                    .filter(path -> path.startsWith(environment + "/") && !path.endsWith("/kustomization.yaml"))
                    .map(path -> path.substring(environment.length() + 1))
                    .toList();
            assertThat(resources).containsExactlyInAnyOrderElementsOf(folder).isSorted();
            for (String resource : resources) {
                assertThat(YAML.readTree(files.get(environment + "/" + resource)).path("kind").asText())
                        .isEqualTo("SealedSecret");
            }
        }
    }

    @Test
    void referenceTemplateUsesEnvFromSecretKeyRefAndImagePullSecretsByName() throws IOException {
        String template = text(files(SampleRotation.sealed()), "secret-reference-template.yaml");

        List<JsonNode> documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(template).readAll();
        assertThat(documents).extracting(d -> d.path("kind").asText())
                .containsExactly("Deployment", "Pod", "Deployment", "Pod");
        JsonNode deployment = documents.get(0);
        assertThat(deployment.path("metadata").path("namespace").asText()).isEqualTo("mlops");
        JsonNode podSpec = deployment.path("spec").path("template").path("spec");
        assertThat(podSpec.path("imagePullSecrets").get(0).path("name").asText()).isEqualTo("ghcr");
        assertThat(podSpec.path("containers").get(0).path("envFrom").get(0).path("secretRef").path("name").asText())
                .isEqualTo("ml-platform");
        assertThat(podSpec.path("containers").get(0).path("envFrom")).hasSize(1);

        JsonNode pod = documents.get(1).path("spec");
        assertThat(pod.path("imagePullSecrets").get(0).path("name").asText()).isEqualTo("ghcr");
        List<String> keys = new ArrayList<>();
        pod.path("containers").get(0).path("env").forEach(variable -> {
            JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
            assertThat(ref.path("name").asText()).isEqualTo("ml-platform");
            assertThat(variable.path("name").asText()).isEqualTo(ref.path("key").asText());
            keys.add(ref.path("key").asText());
        });
        assertThat(keys).containsExactlyElementsOf(SampleRotation.ML_PLATFORM_KEYS);
    }

    @Test
    void readmeGivesRotationFactsApplyCommandsKeyNamesAndHowToVerify() throws IOException {
        String readme = text(files(SampleRotation.sealed()), "README.md");

        assertThat(readme).contains("financial-ml", SampleRotation.ROTATION_ID, "ad-hoc", "quarterly rotation",
                "2026-11-29T04:00:00Z", "requestor@example.com", signer.fingerprint(),
                "kubectl apply -k dev/", "kubectl apply -k production/", "dev-cluster", "prod-cluster",
                "d43d67c33a6cbd951e2e2140e22bb560c565fd27e1d1c9a17ef334b72642c9d9",
                "`ml-platform`", "`ghcr`", "`MLFLOW_TRACKING_PASSWORD`", "`.dockerconfigjson`",
                "./reseal verify financial-ml-ml-secrets-20261129.tar.gz",
                "openssl pkeyutl -verify -pubin -inkey package-signing.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig",
                "Reloader", "rollout restart");
    }

    @Test
    void sha256SumsCoversEveryOtherFileSortedInSha256sumFormat() throws IOException {
        Map<String, byte[]> files = files(SampleRotation.sealed());

        List<String> lines = text(files, "SHA256SUMS").lines().toList();
        List<String> expected = files.keySet().stream()
                .filter(path -> !path.startsWith("SHA256SUMS"))
                .sorted()
                .map(path -> Sha256Sums.hex(files.get(path)) + "  " + path)
                .toList();
        assertThat(lines).containsExactlyElementsOf(expected);
        assertThat(text(files, "SHA256SUMS")).endsWith("\n");
        assertThat(signer.publicKey().verifies(files.get("SHA256SUMS"), files.get("SHA256SUMS.sig"))).isTrue();
    }

    @Test
    void extractedPackagePassesSha256sumAndOpensslSignatureCheck(@TempDir Path dir) throws Exception {
        extract(files(SampleRotation.sealed()), dir);
        Files.copy(keys.resolve(PackageSigner.PUBLIC_KEY_FILE), dir.resolve("package-signing.pub.pem"));

        assertThat(run(dir, "sha256sum", "--strict", "-c", "SHA256SUMS")).isZero();
        assertThat(run(dir, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "package-signing.pub.pem",
                "-rawin", "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig")).isZero();

        Files.writeString(dir.resolve("SHA256SUMS"), "tampered\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(run(dir, "openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "package-signing.pub.pem",
                "-rawin", "-in", "SHA256SUMS", "-sigfile", "SHA256SUMS.sig")).isNotZero();
    }

    @Test
    void kubectlKustomizeRendersEachEnvironmentFolderInItsNamespace(@TempDir Path dir) throws Exception {
        assumeThat(onPath("kubectl")).as("kubectl on the PATH").isTrue();
        extract(files(SampleRotation.sealed()), dir);

        for (String environment : List.of("dev", "production")) {
            Process kustomize = new ProcessBuilder("kubectl", "kustomize", environment + "/")
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String rendered = new String(kustomize.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(kustomize.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(kustomize.exitValue()).as(rendered).isZero();

            List<JsonNode> objects = YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered).readAll();
            assertThat(objects).extracting(o -> o.path("kind").asText()).containsOnly("SealedSecret");
            assertThat(objects).extracting(o -> o.path("metadata").path("name").asText())
                    .containsExactlyInAnyOrder("ghcr", "ml-platform");
            assertThat(objects).extracting(o -> o.path("metadata").path("namespace").asText()).containsOnly("mlops");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "..", "/", "/etc", "a/b", "a\\b", "a\nb", "a\rb", "Dev", "", "-dev", "dev-",
            "d.e.v", "a b", "x\u0000"})
    void rejectsEnvironmentNamesThatAreNotDns1123Labels(String name) {
        RotationSealed sealed = withEnvironment(new RotationSealed.Environment(name, "mlops", "c", "f", List.of(),
                List.of(SampleRotation.mlPlatform())));

        assertThatThrownBy(() -> builder.build(sealed))
                .isInstanceOf(InvalidPackageInputException.class)
                .hasMessageStartingWith("environments[].name: ")
                .hasMessageContaining("is not a DNS-1123 label")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining("\r");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "ml/platform", "ml\\platform", "ml-platform\n", "ML", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void rejectsSecretNamesThatAreNotDns1123Labels(String name) {
        RotationSealed.Secret secret = SampleRotation.mlPlatform();
        RotationSealed sealed = withEnvironment(new RotationSealed.Environment("dev", "mlops", "c", "f", List.of(),
                List.of(new RotationSealed.Secret(name, secret.type(), secret.scope(), secret.keys(), secret.manifest()))));

        assertThatThrownBy(() -> builder.build(sealed))
                .isInstanceOf(InvalidPackageInputException.class)
                .hasMessageStartingWith("environments[dev].secrets[].name: ");
    }

    @Test
    void rejectsUnsafeWorkflowRotationIdAndNamespace() {
        RotationSealed sample = SampleRotation.sealed();
        assertThatThrownBy(() -> builder.build(new RotationSealed(sample.rotationId(), "../fin", sample.requestor(),
                sample.trigger(), sample.reason(), sample.requestedAt(), sample.environments())))
                .hasMessageStartingWith("workflow: '../fin'");
        assertThatThrownBy(() -> builder.build(SampleRotation.sealed("../../x")))
                .hasMessageStartingWith("rotationId: '../../x'");
        assertThatThrownBy(() -> builder.build(withEnvironment(new RotationSealed.Environment("dev", "ml/ops", "c",
                "f", List.of(), List.of(SampleRotation.mlPlatform())))))
                .hasMessageStartingWith("environments[dev].namespace: 'ml/ops'");
    }

    @Test
    void rejectsAManifestThatIsNotTheAnnouncedSealedSecret() {
        RotationSealed.Secret secret = SampleRotation.mlPlatform();
        assertThatThrownBy(() -> build(new RotationSealed.Secret("ghcr", secret.type(), secret.scope(), secret.keys(),
                secret.manifest())))
                .isInstanceOf(InvalidPackageInputException.class)
                .hasMessage("environments[dev].secrets[ghcr].manifest: metadata.name is 'ml-platform', expected 'ghcr'");
        assertThatThrownBy(() -> build(new RotationSealed.Secret(secret.name(), secret.type(), secret.scope(),
                List.of("AWS_ACCESS_KEY_ID"), secret.manifest())))
                .hasMessageContaining("spec.encryptedData has keys [AWS_ACCESS_KEY_ID, AWS_DEFAULT_REGION");
        assertThatThrownBy(() -> build(new RotationSealed.Secret(secret.name(), secret.type(), secret.scope(),
                secret.keys(), "apiVersion: v1\nkind: Secret\n")))
                .hasMessageContaining("not a bitnami.com/v1alpha1 SealedSecret");
        assertThatThrownBy(() -> builder.build(withEnvironment(new RotationSealed.Environment("dev", "other", "c",
                "f", List.of(), List.of(secret)))))
                .hasMessageContaining("metadata.namespace is 'mlops', expected 'other'");
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> manifestsTheSealerNeverWrites() {
        String ml = SampleRotation.manifest("ml-platform.sealedsecret.yaml");
        String keyLine = "  encryptedData:\n";
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("a ClusterRoleBinding after the SealedSecret", ml
                        + "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: pwn\n"
                        + "roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\n"
                        + "subjects:\n- kind: ServiceAccount\n  name: default\n  namespace: mlops\n", "holds 2 YAML documents"),
                org.junit.jupiter.params.provider.Arguments.of("a document marker and an empty second document",
                        "---\n" + ml + "---\n---\n", "YAML documents"),
                org.junit.jupiter.params.provider.Arguments.of("no namespace", ml.replace("  namespace: mlops\nspec:", "spec:"),
                        "metadata.namespace is '', expected 'mlops'"),
                org.junit.jupiter.params.provider.Arguments.of("a label", ml.replace("  name: ml-platform\n  namespace: mlops\nspec:",
                        "  labels:\n    app: x\n  name: ml-platform\n  namespace: mlops\nspec:"), "fields the sealer never writes: '[labels]'"),
                org.junit.jupiter.params.provider.Arguments.of("a foreign annotation", ml.replace("  creationTimestamp: null\n  name: ml-platform\n  namespace: mlops\nspec:",
                        "  annotations:\n    argocd.argoproj.io/sync-options: Replace=true\n  creationTimestamp: null\n  name: ml-platform\n  namespace: mlops\nspec:"),
                        "metadata.annotations has keys '[argocd.argoproj.io/sync-options]'"),
                org.junit.jupiter.params.provider.Arguments.of("the mark of another rotation", ml.replace("  creationTimestamp: null\n  name: ml-platform\n  namespace: mlops\nspec:",
                        "  annotations:\n    reseal.io/rotation-id: another-rotation\n  creationTimestamp: null\n  name: ml-platform\n  namespace: mlops\nspec:"),
                        "reseal.io/rotation-id names another rotation"),
                org.junit.jupiter.params.provider.Arguments.of("a scope the event does not announce", ml.replace("  creationTimestamp: null\n  name: ml-platform\n  namespace: mlops\nspec:",
                        "  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: \"true\"\n  creationTimestamp: null\n  name: ml-platform\n  namespace: mlops\nspec:"),
                        "for scope strict"),
                org.junit.jupiter.params.provider.Arguments.of("a template with plaintext data", ml.replace("    type: Opaque",
                        "    type: Opaque\n    data:\n      AWS_ACCESS_KEY_ID: '{{ index . \"x\" }}'"), "spec.template has fields the sealer never writes: '[data]'"),
                org.junit.jupiter.params.provider.Arguments.of("another type", ml.replace("    type: Opaque", "    type: kubernetes.io/service-account-token"),
                        "spec.template.type is 'kubernetes.io/service-account-token'"),
                org.junit.jupiter.params.provider.Arguments.of("a template in another namespace", ml.replace("      namespace: mlops", "      namespace: kube-system"),
                        "spec.template.metadata.namespace is 'kube-system'"),
                org.junit.jupiter.params.provider.Arguments.of("an unknown spec field", ml.replace(keyLine, "  data: AAAA\n" + keyLine),
                        "spec has fields the sealer never writes: '[data]'"),
                org.junit.jupiter.params.provider.Arguments.of("a sealed value that is not base64", ml.replaceFirst("AWS_ACCESS_KEY_ID: Ag[^\\n]*", "AWS_ACCESS_KEY_ID: '%%%'"),
                        "spec.encryptedData.'AWS_ACCESS_KEY_ID' is not a sealed value"),
                org.junit.jupiter.params.provider.Arguments.of("a sealed key with a line break", ml.replace("    AWS_ACCESS_KEY_ID:", "    \"A\\nB\": AgAA\n    AWS_ACCESS_KEY_ID:"),
                        "spec.encryptedData: 'A\\u000aB' is not a valid Secret key"),
                org.junit.jupiter.params.provider.Arguments.of("a status block", ml + "status:\n  conditions: []\n",
                        "the document has fields the sealer never writes: '[status]'"));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("manifestsTheSealerNeverWrites")
    void rejectsEveryManifestTheSealerNeverWrites(String name, String manifest, String message) {
        RotationSealed.Secret secret = SampleRotation.mlPlatform();

        assertThatThrownBy(() -> build(new RotationSealed.Secret(secret.name(), secret.type(), secret.scope(), secret.keys(),
                manifest)))
                .isInstanceOf(InvalidPackageInputException.class)
                .hasMessageStartingWith("environments[dev].secrets[ml-platform].manifest: ")
                .hasMessageContaining(message);
    }

    @Test
    void aReasonIsLiteralTextInTheReadmeNotMarkdownOrHtml() throws IOException {
        RotationSealed sample = SampleRotation.sealed();
        String reason = "see [the runbook](https://evil.example/x) <img src=x onerror=alert(1)> `code` | cell";
        RotationSealed hostile = new RotationSealed(sample.rotationId(), sample.workflow(), sample.requestor(),
                sample.trigger(), reason, sample.requestedAt(), sample.environments());

        String readme = text(files(hostile), "README.md");

        assertThat(readme).contains("| Reason | see \\[the runbook\\]\\(https\\:\\/\\/evil\\.example\\/x\\) \\<img src\\=x"
                        + " onerror\\=alert\\(1\\)\\> \\`code\\` \\| cell |")
                .doesNotContain("](https://evil", " <img");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Opaque` | injected", "a\nb", "<b>x</b>", ""})
    void rejectsASecretTypeThatIsNotOne(String type) {
        RotationSealed.Secret secret = SampleRotation.mlPlatform();

        assertThatThrownBy(() -> build(new RotationSealed.Secret(secret.name(), type, secret.scope(), secret.keys(),
                secret.manifest())))
                .isInstanceOf(InvalidPackageInputException.class)
                .hasMessageStartingWith("environments[dev].secrets[ml-platform].type: ");
    }

    @Test
    void acceptsTheScopeAnnotationTheEventAnnounces() {
        assertThat(build(SampleRotation.ghcr()).bytes()).isNotEmpty();
    }

    @Test
    void rejectsDuplicateEnvironmentsAndSecrets() {
        RotationSealed sample = SampleRotation.sealed();
        RotationSealed.Environment dev = sample.environments().get(0);
        assertThatThrownBy(() -> builder.build(new RotationSealed(sample.rotationId(), sample.workflow(),
                sample.requestor(), sample.trigger(), sample.reason(), sample.requestedAt(), List.of(dev, dev))))
                .hasMessage("environments: 'dev' appears twice");
        assertThatThrownBy(() -> build(SampleRotation.mlPlatform(), SampleRotation.mlPlatform()))
                .hasMessage("environments[dev].secrets: 'ml-platform' appears twice");
    }

    private static DeliveryArchive build(RotationSealed.Secret... secrets) {
        return builder.build(withEnvironment(new RotationSealed.Environment("dev", "mlops", "c", "f", List.of(),
                List.of(secrets))));
    }

    private static RotationSealed withEnvironment(RotationSealed.Environment environment) {
        RotationSealed sample = SampleRotation.sealed();
        return new RotationSealed(sample.rotationId(), sample.workflow(), sample.requestor(), sample.trigger(),
                sample.reason(), sample.requestedAt(), List.of(environment));
    }

    static Map<String, byte[]> files(RotationSealed sealed) throws IOException {
        return DeterministicTarGz.read(new ByteArrayInputStream(builder.build(sealed).bytes()));
    }

    private static String text(Map<String, byte[]> files, String path) {
        assertThat(files).containsKey(path);
        return new String(files.get(path), StandardCharsets.UTF_8);
    }

    private static void extract(Map<String, byte[]> files, Path dir) throws IOException {
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path target = dir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
    }

    private static int run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getInputStream().transferTo(System.out);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}

package io.reseal.sealer.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.RotationAnnotation;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.crypto.InvalidCertificateException;
import io.reseal.sealer.crypto.UnsealException;
import io.reseal.sealer.secret.SecretValue;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretSealerTest {

    private static final String PLAINTEXT = "hunter2-do-not-print";

    private final SecretSealer sealer = new SecretSealer(new HybridEncryption(), Clock.fixed(GoldenVectors.VALID_AT, ZoneOffset.UTC));

    @Test
    void sealsABundleToYamlThatOpensUnderItsScope() {
        // given
        Map<String, SecretValue> values = new LinkedHashMap<>();
        values.put("TOKEN", SecretValue.ofUtf8(PLAINTEXT));
        values.put(".dockerconfigjson", SecretValue.ofUtf8("{}"));

        // when
        String yaml = sealer.sealToYaml("rot-1", "team-a", "bundle", "Opaque", SecretScope.NAMESPACE_WIDE, values,
                GoldenVectors.certificate());

        // then
        assertThat(yaml).doesNotContain(PLAINTEXT).contains("sealedsecrets.bitnami.com/namespace-wide: \"true\"");
        SealedSecretManifest sealed = parse(yaml);
        assertThat(sealed.metadata().annotations()).containsEntry(RotationAnnotation.KEY, "rot-1");
        assertThat(sealed.template().annotations()).containsEntry(RotationAnnotation.KEY, "rot-1");
        SecretManifest opened = sealer.unseal(parse(yaml), List.of(GoldenVectors.privateKey()));
        assertThat(opened.values().get("TOKEN").bytes()).isEqualTo(PLAINTEXT.getBytes(StandardCharsets.UTF_8));
        assertThat(opened.values()).containsOnlyKeys("TOKEN", ".dockerconfigjson");
    }

    @Test
    void refusesAStrictSecretWithoutNamespace() {
        // given
        SecretManifest secret = SecretManifest.of("", "bundle", "Opaque", SecretScope.STRICT, Map.of("k", SecretValue.ofUtf8("v")));

        // when / then
        assertThatThrownBy(() -> sealer.seal(secret, GoldenVectors.certificate()))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("metadata.namespace is missing");
    }

    @Test
    void sealsAClusterWideSecretWithoutNamespace() {
        // given
        SecretManifest secret = SecretManifest.of("", "bundle", "", SecretScope.CLUSTER_WIDE, Map.of("k", SecretValue.ofUtf8("v")));

        // when
        SealedSecretManifest sealed = sealer.seal(secret, GoldenVectors.certificate());

        // then
        assertThat(sealed.render(OutputFormat.YAML)).doesNotContain("namespace:");
        assertThat(sealer.unseal(sealed, List.of(GoldenVectors.privateKey())).values()).containsOnlyKeys("k");
    }

    @Test
    void refusesACertificateThatIsNotValidNow() {
        // given
        SecretSealer late = new SecretSealer(new HybridEncryption(), Clock.fixed(Instant.parse("2040-01-01T00:00:00Z"), ZoneOffset.UTC));
        SecretManifest secret = SecretManifest.of("ns", "n", "", SecretScope.STRICT, Map.of("k", SecretValue.ofUtf8("v")));

        // when / then
        assertThatThrownBy(() -> late.seal(secret, GoldenVectors.certificate()))
                .isInstanceOf(InvalidCertificateException.class)
                .hasMessageContaining("expired");
    }

    @Test
    void aStrictSealedSecretMovedToAnotherNamespaceDoesNotOpen() {
        // given
        String yaml = sealer.sealToYaml("rot-1", "team-a", "db", "Opaque", SecretScope.STRICT,
                Map.of("password", SecretValue.ofUtf8(PLAINTEXT)), GoldenVectors.certificate());
        String moved = yaml.replace("namespace: team-a", "namespace: team-b");

        // when / then
        assertThatThrownBy(() -> sealer.unseal(parse(moved), List.of(GoldenVectors.privateKey())))
                .isInstanceOfSatisfying(UnsealException.class, e -> assertThat(e.reason()).isEqualTo(UnsealException.Reason.RSA_OAEP))
                .hasMessageContaining("password: RSA-OAEP decryption failed under label \"team-b/db\"")
                .hasMessageNotContaining(PLAINTEXT);
    }

    @Test
    void refusesToUnsealAStrictSealedSecretWithoutNamespace() {
        // given
        String yaml = GoldenVectors.text("ml-platform.sealedsecret.yaml").replaceAll("(?m)^  namespace: mlops\n", "");

        // when / then
        assertThatThrownBy(() -> sealer.unseal(parse(yaml), List.of(GoldenVectors.privateKey())))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("metadata.namespace is missing");
    }

    private static SealedSecretManifest parse(String manifest) {
        return SealedSecretManifest.parse(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)));
    }
}

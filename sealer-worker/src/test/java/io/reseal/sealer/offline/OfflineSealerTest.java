package io.reseal.sealer.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.manifest.InvalidManifestException;
import io.reseal.sealer.manifest.OutputFormat;
import io.reseal.sealer.secret.SecretValue;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OfflineSealerTest {

    private final OfflineSealer sealer = new OfflineSealer(new HybridEncryption(), Clock.fixed(GoldenVectors.VALID_AT, ZoneOffset.UTC));

    @Test
    void sealsAManifestWithTheScopeGivenOnTheCommandLine() {
        // given
        ByteArrayInputStream manifest = stream("""
                apiVersion: v1
                kind: Secret
                metadata: {name: api, namespace: team-a}
                stringData: {token: hunter2-do-not-print}
                """);

        // when
        String json = sealer.seal(manifest, GoldenVectors.certificate(), Optional.of(SecretScope.NAMESPACE_WIDE), OutputFormat.JSON);

        // then
        assertThat(json).startsWith("{\n  \"kind\": \"SealedSecret\"").endsWith("}\n")
                .contains("\"sealedsecrets.bitnami.com/namespace-wide\": \"true\"")
                .doesNotContain("hunter2");
        String unsealed = new OfflineUnsealer().unseal(stream(json), java.util.List.of(GoldenVectors.privateKey()), OutputFormat.YAML);
        assertThat(unsealed).contains("token: " + Base64.getEncoder().encodeToString("hunter2-do-not-print".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void refusesAStrictManifestWithoutNamespace() {
        // given
        ByteArrayInputStream manifest = stream("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"api\"},\"stringData\":{\"k\":\"v\"}}");

        // when / then
        assertThatThrownBy(() -> sealer.seal(manifest, GoldenVectors.certificate(), Optional.empty(), OutputFormat.YAML))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("metadata.namespace is missing");
    }

    @Test
    void sealsARawValueForItsLabel() {
        // given
        SecretValue value = SecretValue.ofUtf8("raw-value");

        // when
        String sealed = sealer.sealRaw(value, "team-a", "api", SecretScope.STRICT, GoldenVectors.certificate());

        // then
        assertThat(sealed).startsWith("Ag").doesNotContain("\n");
        byte[] opened = new HybridEncryption().open(Base64.getDecoder().decode(sealed), "team-a/api", GoldenVectors.privateKey());
        assertThat(opened).isEqualTo("raw-value".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesARawStrictValueWithoutName() {
        assertThatThrownBy(() -> sealer.sealRaw(SecretValue.ofUtf8("v"), "team-a", null, SecretScope.STRICT, GoldenVectors.certificate()))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("give both --namespace and --name");
    }

    @Test
    void refusesARawNamespaceWideValueWithoutNamespace() {
        assertThatThrownBy(() -> sealer.sealRaw(SecretValue.ofUtf8("v"), "", "api", SecretScope.NAMESPACE_WIDE, GoldenVectors.certificate()))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining("give --namespace");
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}

package io.reseal.sealer.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.secret.SecretValue;
import java.io.InputStream;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Our manifests against kubeseal's, from the golden files in src/test/resources/vectors/sealed-secrets. */
class SealedSecretGoldenTest {

    /** A sealed value as it appears in a manifest: base64 of 0x02 0x00 ..., so always starting "Ag". */
    private static final Pattern SEALED_VALUE = Pattern.compile("Ag[A-Za-z0-9+/]{600,}={0,2}");

    private final SecretSealer sealer = new SecretSealer(new HybridEncryption(),
            Clock.fixed(GoldenVectors.VALID_AT, ZoneOffset.UTC));

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ml-platform.sealedsecret.yaml", "ml-platform.sealedsecret.json",
            "ghcr.sealedsecret.yaml", "ghcr.sealedsecret.json"})
    void goldenManifestsUnsealToTheirExpectedPlaintext(String file) {
        // given
        JsonNode expected = GoldenVectors.json("manifests.expected.json").get(file.replace(".json", ".yaml"));
        SealedSecretManifest sealed = SealedSecretManifest.parse(GoldenVectors.stream(file));

        // when
        SecretManifest secret = sealer.unseal(sealed, List.of(GoldenVectors.privateKey()));

        // then
        assertThat(secret.name()).isEqualTo(expected.get("name").asText());
        assertThat(secret.namespace()).isEqualTo(expected.get("namespace").asText());
        assertThat(secret.type()).isEqualTo(expected.get("type").asText());
        assertThat(secret.scope().wireName()).isEqualTo(expected.get("scope").asText());
        assertThat(base64Values(secret.values())).isEqualTo(textMap(expected.get("data_b64")));
    }

    static Stream<Arguments> shapes() {
        UnaryOperator<String> asIs = UnaryOperator.identity();
        UnaryOperator<String> clusterWide = golden -> golden.replace(
                SecretScope.NAMESPACE_WIDE.annotation(), SecretScope.CLUSTER_WIDE.annotation());
        return Stream.of(
                Arguments.of("ml-platform.secret.yaml", null, "ml-platform.sealedsecret.yaml", asIs),
                Arguments.of("ml-platform.secret.yaml", null, "ml-platform.sealedsecret.json", asIs),
                Arguments.of("ghcr.secret.json", null, "ghcr.sealedsecret.yaml", asIs),
                Arguments.of("ghcr.secret.json", null, "ghcr.sealedsecret.json", asIs),
                Arguments.of("ghcr.secret.json", SecretScope.CLUSTER_WIDE, "ghcr.sealedsecret.yaml", clusterWide),
                Arguments.of("ghcr.secret.json", SecretScope.CLUSTER_WIDE, "ghcr.sealedsecret.json", clusterWide));
    }

    @ParameterizedTest(name = "{0} --scope {1} -> {2}")
    @MethodSource("shapes")
    void sealsInKubesealsExactShape(String input, SecretScope scopeOverride, String golden, UnaryOperator<String> expectedFromGolden) {
        // given
        SecretManifest secret = SecretManifest.parse(resource(input));
        SecretManifest scoped = Optional.ofNullable(scopeOverride).map(secret::withScope).orElse(secret);
        OutputFormat format = golden.endsWith(".json") ? OutputFormat.JSON : OutputFormat.YAML;

        // when
        SealedSecretManifest sealed = sealer.seal(scoped, GoldenVectors.certificate());
        String rendered = sealed.render(format);

        // then every byte but the sealed values is kubeseal's
        assertThat(maskSealedValues(rendered)).isEqualTo(maskSealedValues(expectedFromGolden.apply(GoldenVectors.text(golden))));
        // and the sealed values open under the scope's label to the expected plaintext
        SealedSecretManifest reread = SealedSecretManifest.parse(new java.io.ByteArrayInputStream(rendered.getBytes()));
        SecretManifest opened = sealer.unseal(reread, List.of(GoldenVectors.privateKey()));
        JsonNode expected = GoldenVectors.json("manifests.expected.json").get(golden.replace(".json", ".yaml"));
        assertThat(base64Values(opened.values())).isEqualTo(textMap(expected.get("data_b64")));
        assertThat(opened.scope()).isEqualTo(scopeOverride == null ? SecretScope.of(expected.get("scope").asText()) : scopeOverride);
    }

    private static String maskSealedValues(String manifest) {
        return SEALED_VALUE.matcher(manifest).replaceAll("<sealed>");
    }

    private static InputStream resource(String name) {
        return SealedSecretGoldenTest.class.getResourceAsStream("/manifests/" + name);
    }

    private static Map<String, String> base64Values(Map<String, SecretValue> values) {
        Map<String, String> encoded = new TreeMap<>();
        values.forEach((key, value) -> encoded.put(key, Base64.getEncoder().encodeToString(value.bytes())));
        return encoded;
    }

    private static Map<String, String> textMap(JsonNode object) {
        Map<String, String> map = new TreeMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}

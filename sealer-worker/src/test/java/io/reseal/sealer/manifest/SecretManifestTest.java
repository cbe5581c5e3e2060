package io.reseal.sealer.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.SecretScope;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretManifestTest {

    private static final String SECRET_VALUE = "hunter2-do-not-print";

    @Test
    void stringDataWinsOverDataAndLastAppliedIsDropped() {
        // given
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: db
                  namespace: shop
                  annotations:
                    kubectl.kubernetes.io/last-applied-configuration: '{"stringData":{"password":"%s"}}'
                    sealedsecrets.bitnami.com/cluster-wide: "true"
                data:
                  password: b2xk
                stringData:
                  password: %s
                """.formatted(SECRET_VALUE, SECRET_VALUE);

        // when
        SecretManifest secret = parse(yaml);

        // then
        assertThat(secret.values().get("password").bytes()).isEqualTo(SECRET_VALUE.getBytes(StandardCharsets.UTF_8));
        assertThat(secret.scope()).isEqualTo(SecretScope.CLUSTER_WIDE);
        assertThat(secret.metadata().annotations()).containsOnlyKeys(SecretScope.CLUSTER_WIDE.annotation());
        assertThat(secret.toString()).doesNotContain(SECRET_VALUE);
    }

    @Test
    void withScopeLeavesExactlyOneScopeAnnotation() {
        // given
        SecretManifest secret = parse("""
                {"apiVersion": "v1", "kind": "Secret",
                 "metadata": {"name": "db", "namespace": "shop", "annotations": {
                   "sealedsecrets.bitnami.com/cluster-wide": "true", "sealedsecrets.bitnami.com/namespace-wide": "true"}},
                 "stringData": {"k": "v"}}
                """);

        // when
        SecretManifest strict = secret.withScope(SecretScope.STRICT);
        SecretManifest namespaceWide = secret.withScope(SecretScope.NAMESPACE_WIDE);

        // then
        assertThat(secret.scope()).isEqualTo(SecretScope.CLUSTER_WIDE);
        assertThat(strict.metadata().annotations()).isEmpty();
        assertThat(namespaceWide.metadata().annotations()).containsOnlyKeys(SecretScope.NAMESPACE_WIDE.annotation());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            kind: ConfigMap\\napiVersion: v1\\nmetadata: {name: x}\\ndata: {k: v}                    | kind is ConfigMap; expected Secret
            apiVersion: v1\\nmetadata: {name: x}\\ndata: {k: v}                                     | kind is missing; expected Secret
            kind: Secret\\napiVersion: v2\\nmetadata: {name: x}\\ndata: {k: v}                       | apiVersion is v2; expected v1
            kind: Secret\\napiVersion: v1\\nmetadata: {namespace: x}\\ndata: {k: v}                  | metadata.name is missing
            kind: Secret\\napiVersion: v1\\nmetadata: {name: x}                                     | neither data nor stringData
            kind: Secret\\napiVersion: v1\\nmetadata: {name: x}\\ndata: {k: 'hunter2-do-not-print'}  | data.k is not valid base64
            kind: Secret\\napiVersion: v1\\nmetadata: {name: x}\\nstringData: {port: 5432}           | stringData.port must be a string
            kind: Secret\\napiVersion: v1\\nmetadata: {name: x}\\nstringData: {'a b': v}             | 'a b' is not a valid Secret key
            kind: Secret\\napiVersion: v1\\nmetadata: {name: x}\\nstringData: {k: v}\\n---\\nkind: Secret | holds 2 YAML documents
            kind: Secret\\n  x: [hunter2-do-not-print                                               | not valid YAML at line
            {"kind": "Secret", "stringData": {"k": hunter2-do-not-print}}                          | not valid JSON at line 1
            kind: Secret\\napiVersion: v1\\nmetadata: {name: x}\\nstringData: {k: a, k: b}            | duplicate key
            ''                                                                                     | the input is empty
            """)
    void refusesInvalidManifestsNamingTheProblemButNoValue(String manifest, String expected) {
        assertThatThrownBy(() -> parse(manifest.replace("\\n", "\n")))
                .isInstanceOf(InvalidManifestException.class)
                .hasMessageContaining(expected)
                .hasMessageNotContaining(SECRET_VALUE);
    }

    @Test
    void rendersTheSecretForRecoveryAsKubesealDoes() {
        // given
        SecretManifest secret = SecretManifest.of("shop", "db", "Opaque", SecretScope.STRICT,
                java.util.Map.of("password", io.reseal.sealer.secret.SecretValue.ofUtf8("pw")));

        // when
        String yaml = secret.render(OutputFormat.YAML);

        // then
        assertThat(yaml).isEqualTo("""
                apiVersion: v1
                data:
                  password: cHc=
                kind: Secret
                metadata:
                  creationTimestamp: null
                  name: db
                  namespace: shop
                type: Opaque

                """);
    }

    private static SecretManifest parse(String manifest) {
        return SecretManifest.parse(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8)));
    }
}

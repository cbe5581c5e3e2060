package io.reseal.sealer.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.secret.SecretValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValueResolverTest {

    private static final String ENV_VALUE = "env-value-must-not-leak";

    @TempDir
    Path dir;

    private final ValueResolver resolver = new ValueResolver(Map.of("API_TOKEN", ENV_VALUE)::get,
            new ClusterAccess(List.of()), "dev", new SecureRandom());

    @Test
    void resolvesEverySourceKindInTheBundlesKeyOrder() throws Exception {
        // given
        Path file = Files.write(dir.resolve("db-password"), "file-value".getBytes(StandardCharsets.UTF_8));
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("endpoint", literal("https://mlflow.example.com"));
        keys.put("token", env("API_TOKEN"));
        keys.put("db-password", new ValueSource.File(file.toString()));
        keys.put("api-key", new ValueSource.Generated(new Generator(Generator.Kind.HEX, 40, null)));

        // when
        Map<String, SecretValue> values = resolver.resolve(bundle(keys));

        // then
        assertThat(values).containsOnlyKeys("endpoint", "token", "db-password", "api-key");
        assertThat(values.keySet()).containsExactly("endpoint", "token", "db-password", "api-key");
        assertThat(utf8(values.get("endpoint"))).isEqualTo("https://mlflow.example.com");
        assertThat(utf8(values.get("token"))).isEqualTo(ENV_VALUE);
        assertThat(utf8(values.get("db-password"))).isEqualTo("file-value");
        assertThat(utf8(values.get("api-key"))).matches("[0-9a-f]{40}");
    }

    @Test
    void generatesAFreshValueOnEveryResolve() throws Exception {
        // given
        BundleConfig bundle = bundle(Map.of("password", new ValueSource.Generated(new Generator(Generator.Kind.PASSWORD, 24, null))));

        // when
        String first = utf8(resolver.resolve(bundle).get("password"));
        String second = utf8(resolver.resolve(bundle).get("password"));

        // then
        assertThat(first).hasSize(24).isNotEqualTo(second);
    }

    @Test
    void aMissingEnvironmentVariableNamesBundleKeyAndVariableButNoValue() {
        // given: a set variable first, then an unset one
        Map<String, ValueSource> keys = new LinkedHashMap<>();
        keys.put("token", env("API_TOKEN"));
        keys.put("secret-key", env("S3_SECRET_KEY"));

        // when / then
        assertThatThrownBy(() -> resolver.resolve(bundle(keys)))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("missing-value"))
                .hasMessage("bundle ml-platform, key secret-key: environment variable S3_SECRET_KEY is not set")
                .hasMessageNotContaining(ENV_VALUE);
    }

    @Test
    void aMissingFileNamesBundleKeyAndFile() {
        // given
        Path missing = dir.resolve("nope");

        // when / then
        assertThatThrownBy(() -> resolver.resolve(bundle(Map.of("cert", new ValueSource.File(missing.toString())))))
                .isInstanceOf(PermanentStageException.class)
                .hasMessage("bundle ml-platform, key cert: file " + missing + " does not exist");
    }

    @Test
    void anUnreadableFileNamesBundleKeyAndFile() {
        // given: a directory is not a readable file
        // when / then
        assertThatThrownBy(() -> resolver.resolve(bundle(Map.of("cert", new ValueSource.File(dir.toString())))))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageStartingWith("bundle ml-platform, key cert: file " + dir + " cannot be read");
    }

    @Test
    void aSecretReferenceNeedsANamespaceNameAndKey() {
        assertThatThrownBy(() -> new ValueSource.SecretKeyRef(null, "Bad_NS", "db", "password"))
                .hasMessage("secret.namespace 'Bad_NS' is not a DNS-1123 label");
        assertThatThrownBy(() -> new ValueSource.SecretKeyRef(null, "team", null, "password"))
                .hasMessage("secret needs namespace, name and key");
    }

    @Test
    void describesASourceWithoutItsValue() {
        assertThat(literal("https://mlflow.example.com").describe()).isEqualTo("a literal");
        assertThat(new ValueSource.FromSecret(new ValueSource.SecretKeyRef("prod", "team", "db", "password"))
                .describe()).isEqualTo("key 'password' of Secret team/db in cluster prod");
    }

    private static BundleConfig bundle(Map<String, ValueSource> keys) {
        return new BundleConfig("ml-platform", null, null, null, keys);
    }

    private static ValueSource literal(String value) {
        return new ValueSource.Literal(value);
    }

    private static ValueSource env(String name) {
        return new ValueSource.Env(name);
    }

    private static String utf8(SecretValue value) {
        return new String(value.bytes(), StandardCharsets.UTF_8);
    }
}

package io.reseal.packager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.YamlConfigReader;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PackagerConfigTest {

    private static final URI ENDPOINT = URI.create("http://minio:9000");
    private static final Path KEY = Path.of("signing/package-signing.pem");

    @Test
    void fillsDefaults() {
        PackagerConfig config = new PackagerConfig(ENDPOINT, null, null, "ak", "sk", null, null, null, KEY);

        assertThat(config.publicEndpoint()).isEqualTo(ENDPOINT);
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.bucket()).isEqualTo("reseal-packages");
        assertThat(config.createBucket()).isTrue();
        assertThat(config.linkExpiry()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void toStringMasksTheSecretKey() {
        PackagerConfig config = new PackagerConfig(ENDPOINT, null, null, "ak", "wJalrXUtnFEMI/K7MDENG", null, null,
                null, KEY);

        assertThat(config.toString()).doesNotContain("wJalrXUtnFEMI").contains("secretKey=****", "accessKey=ak");
    }

    @Test
    void rejectsInvalidValuesNamingTheField() {
        assertThatThrownBy(() -> new PackagerConfig(null, null, null, "ak", "sk", null, null, null, KEY))
                .hasMessageStartingWith("endpoint: required");
        assertThatThrownBy(() -> new PackagerConfig(URI.create("ftp://x"), null, null, "ak", "sk", null, null, null, KEY))
                .hasMessageStartingWith("endpoint: scheme 'ftp'");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, URI.create("http://u:secret@x/path"), null, "ak", "sk",
                null, null, null, KEY))
                .hasMessageStartingWith("publicEndpoint: ").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, null, null, " ", "sk", null, null, null, KEY))
                .hasMessage("accessKey: required");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, null, null, "ak", "", null, null, null, KEY))
                .hasMessage("secretKey: required");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, null, null, "ak", "sk", "Bad_Bucket", null, null, KEY))
                .hasMessageStartingWith("bucket: 'Bad_Bucket'");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, null, null, "ak", "sk", null, null,
                Duration.ofDays(7).plusSeconds(1), KEY))
                .hasMessageStartingWith("linkExpiry: PT168H1S must be between 1 second and PT168H");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, null, null, "ak", "sk", null, null, Duration.ZERO, KEY))
                .hasMessageStartingWith("linkExpiry: ");
        assertThatThrownBy(() -> new PackagerConfig(ENDPOINT, null, null, "ak", "sk", null, null, null, null))
                .hasMessageStartingWith("signingKey: required");
    }

    @Test
    void mapsFromYaml() {
        String yaml = """
                endpoint: http://minio:9000
                publicEndpoint: https://downloads.example.com
                accessKey: reseal
                secretKey: s3cr3t
                bucket: packages
                createBucket: false
                linkExpiry: P2D
                signingKey: /etc/reseal/package-signing.pem
                """;

        PackagerConfig config = YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                PackagerConfig.class, "s3");

        assertThat(config.publicEndpoint()).isEqualTo(URI.create("https://downloads.example.com"));
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.createBucket()).isFalse();
        assertThat(config.linkExpiry()).isEqualTo(Duration.ofDays(2));
        assertThat(config.signingKey()).isEqualTo(Path.of("/etc/reseal/package-signing.pem"));
    }
}

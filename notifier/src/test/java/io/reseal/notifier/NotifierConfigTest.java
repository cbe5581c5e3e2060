package io.reseal.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.notifier.NotifierConfig.TlsMode;
import io.reseal.pipeline.config.YamlConfigReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NotifierConfigTest {

    @Test
    void absentOptionalFieldsGetDefaults() {
        NotifierConfig config = new NotifierConfig("smtp.example.com", null, null, null, null, "reseal@example.com", null);

        assertThat(config.port()).isEqualTo(25);
        assertThat(config.tls()).isEqualTo(TlsMode.NONE);
        assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.hasCredentials()).isFalse();
    }

    @Test
    void mapsFromTheYamlSmtpSection() {
        String yaml = """
                host: smtp.example.com
                port: 587
                tls: starttls
                username: reseal
                password: s3cr3t-pw
                from: reseal@example.com
                sendTimeout: PT2M
                """;

        NotifierConfig config = YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                NotifierConfig.class, "smtp");

        assertThat(config).isEqualTo(new NotifierConfig("smtp.example.com", 587, TlsMode.STARTTLS, "reseal", "s3cr3t-pw",
                "reseal@example.com", Duration.ofMinutes(2)));
    }

    @Test
    void theRemovedRetryDeadlineIsAnUnknownKey() {
        String yaml = """
                host: smtp.example.com
                from: reseal@example.com
                retryDeadline: PT2H
                """;

        assertThatThrownBy(() -> YamlConfigReader.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                NotifierConfig.class, "smtp"))
                .hasMessageContaining("retryDeadline");
    }

    @Test
    void toStringMasksThePassword() {
        NotifierConfig config = new NotifierConfig("smtp.example.com", 465, TlsMode.TLS, "reseal", "s3cr3t-pw",
                "reseal@example.com", null);

        assertThat(config.toString()).doesNotContain("s3cr3t-pw").contains("password=****", "username=reseal");
    }

    @Test
    void errorsNameTheField() {
        assertThatThrownBy(() -> new NotifierConfig(" ", null, null, null, null, "r@example.com", null))
                .hasMessage("smtp.host is required");
        assertThatThrownBy(() -> new NotifierConfig("h", 70000, null, null, null, "r@example.com", null))
                .hasMessage("smtp.port must be between 1 and 65535, not 70000");
        assertThatThrownBy(() -> new NotifierConfig("h", null, null, null, null, "Reseal <r@example.com>", null))
                .hasMessageStartingWith("smtp.from: 'Reseal <r@example.com>' is not a usable e-mail address");
        assertThatThrownBy(() -> new NotifierConfig("h", null, null, null, null, "r@example.com", Duration.ZERO))
                .hasMessage("smtp.sendTimeout must be positive, not PT0S");
        assertThatThrownBy(() -> TlsMode.of("ssl")).hasMessage("smtp.tls must be NONE, STARTTLS or TLS, not 'ssl'");
    }

    @Test
    void credentialsNeedBothPartsAndTls() {
        assertThatThrownBy(() -> new NotifierConfig("h", null, TlsMode.TLS, "reseal", null, "r@example.com", null))
                .hasMessage("smtp.username is set but smtp.password is not");
        assertThatThrownBy(() -> new NotifierConfig("h", null, TlsMode.NONE, "reseal", "s3cr3t-pw", "r@example.com", null))
                .hasMessageStartingWith("smtp.tls must be STARTTLS or TLS when smtp.username is set")
                .message().doesNotContain("s3cr3t-pw");
    }
}

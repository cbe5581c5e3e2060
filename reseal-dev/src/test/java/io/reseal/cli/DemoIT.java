package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.cli.local.DemoCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's first command: {@code ./reseal demo} runs one rotation on embedded servers and says where everything is. */
class DemoIT {

    @Test
    void theDemoRunsOneRotationAndPrintsTheLinkTheFilesAndTheSavedMail(@TempDir Path data) throws Exception {
        // given
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        // when
        int exit = DemoCommand.run(data, new PrintStream(printed, true, StandardCharsets.UTF_8));
        // then
        String out = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).isZero();
        assertThat(out).contains("requested -> sealed -> packaged -> notified", "X-Amz-Signature=",
                "dev/ml-platform-sealed-secret.yaml", "dev/ghcr-sealed-secret.yaml", "dev/kustomization.yaml",
                "production/kustomization.yaml", "secret-reference-template.yaml", "README.md", "SHA256SUMS.sig",
                "dev/mlflow-db-sealed-secret.yaml",
                "Issuer mlflow-db (alternating-users): made mlflow_app_a at the source and tested it (logged in) before sealing.");
        String mailLine = out.lines().filter(l -> l.startsWith("E-mail to")).findFirst().orElseThrow();
        Path mail = Path.of(mailLine.substring(mailLine.indexOf("saved as: ") + "saved as: ".length()));
        assertThat(mail).exists().startsWith(data.resolve("mail"));
        assertThat(Files.readString(mail)).contains("financial-team@example.com");
        assertThat(data.resolve("sealing-key/tls.key")).exists();
        assertThat(data.resolve("signing/package-signing.pem")).exists();
    }
}

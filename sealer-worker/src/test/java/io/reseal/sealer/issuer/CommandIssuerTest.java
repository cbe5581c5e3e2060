package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command issuer's protocol with a real program (a script that keeps its keys as files). */
class CommandIssuerTest {

    @TempDir
    Path store;

    private CommandIssuer issuer(Duration timeout) throws Exception {
        Path script = Path.of(getClass().getResource("/issuer/file-issuer.sh").toURI());
        script.toFile().setExecutable(true);
        ValueResolver values = new ValueResolver(Map.<String, String>of()::get, new ClusterAccess(List.of()), "dev", new SecureRandom());
        return new CommandIssuer(new CommandIssuerConfig("keys", new CommandIssuerConfig.Settings(List.of(script.toString()),
                List.of("accessKey", "secretKey"), timeout, Map.of("STORE", new ValueSource.Literal(store.toString()))), null),
                values);
    }

    @Test
    void runsTheFourStepsAndKeepsThePreviousKeyUntilFinish() throws Exception {
        // given
        CommandIssuer issuer = issuer(null);
        Issuer.Pending first = issuer.create("r1", null);
        issuer.test(first);

        // when
        Issuer.Pending second = issuer.create("r2", first.versions().pending());
        issuer.test(second);

        // then: both keys exist until finish, then only the new one
        assertThat(second.versions()).isEqualTo(new IssuedVersions("keys", "command", "k-r1", "k-r2"));
        assertThat(store.resolve("k-r1")).exists();
        assertThat(Files.readString(store.resolve("k-r2")))
                .isEqualTo(new String(second.credential().field("secretKey").bytes(), StandardCharsets.UTF_8));
        issuer.revokePrevious(second.versions());
        assertThat(store.resolve("k-r1")).doesNotExist();
        assertThat(store.resolve("k-r2")).exists();

        // and a discarded pending key is gone
        Issuer.Pending third = issuer.create("r3", "k-r2");
        issuer.discard(third.versions());
        assertThat(store.resolve("k-r3")).doesNotExist();
        assertThatThrownBy(() -> issuer.test(third)).isInstanceOfSatisfying(PermanentStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-test-failed"));
    }

    @Test
    void aFailedTestIsPermanentAndItsStderrIsNeverShown() throws Exception {
        // given: a program that prints the secret on stderr when the test fails
        CommandIssuer issuer = issuer(null);
        Issuer.Pending pending = issuer.create("r1", null);
        Files.createFile(store.resolve("fail-test"));
        String secret = new String(pending.credential().field("secretKey").bytes(), StandardCharsets.UTF_8);

        // when / then
        assertThatThrownBy(() -> issuer.test(pending))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-test-failed"))
                .hasMessageContaining("exited with 1").hasMessageContaining("not shown: it may hold secrets")
                .hasMessageNotContaining(secret).hasMessageNotContaining("login refused");
    }

    @Test
    void exitCode75IsRetriable() throws Exception {
        CommandIssuer issuer = issuer(null);
        Files.createFile(store.resolve("busy"));
        assertThatThrownBy(() -> issuer.create("r1", null)).isInstanceOfSatisfying(RetriableStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-unavailable"));
    }

    @Test
    void aStepThatOutlivesItsTimeoutIsKilledAndRetriable() throws Exception {
        CommandIssuer issuer = issuer(Duration.ofMillis(500));
        Files.createFile(store.resolve("hang"));
        long start = System.nanoTime();
        assertThatThrownBy(() -> issuer.create("r1", null)).isInstanceOf(RetriableStageException.class)
                .hasMessageContaining("did not finish within PT0.5S and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(25));
    }

    @Test
    void theSameRotationRunTwiceLeavesOnePendingKey() throws Exception {
        CommandIssuer issuer = issuer(null);
        Issuer.Pending lost = issuer.create("r1", null);
        Issuer.Pending again = issuer.create("r1", null);
        assertThat(again.versions().pending()).isEqualTo(lost.versions().pending());
        try (var files = Files.list(store)) {
            assertThat(files).hasSize(1);
        }
    }
}

package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code reseal verify} demands a public key, and prints nothing that drives the terminal. */
class VerifyCommandTest {

    @TempDir
    Path dir;

    @Test
    void withoutAPublicKeyItRefusesUnlessChecksumsAloneAreAskedFor() {
        CommandRun run = CommandRun.of("verify", dir.resolve("package.tar.gz").toString());

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("--pubkey", "--no-signature");
        assertThat(CommandRun.of("verify", dir.resolve("package.tar.gz").toString(), "--no-signature").err())
                .contains("no such file");
    }

    @Test
    void controlCharactersAreShownNotSentToTheTerminal() {
        String hostile = "pkg\u001b]0;owned\u0007\u001b[2J\r.tar.gz";

        CommandRun run = CommandRun.of("verify", dir.resolve(hostile).toString(), "--no-signature");

        assertThat(run.err()).contains("pkg\\u001b]0;owned\\u0007\\u001b[2J\\u000d.tar.gz")
                .doesNotContain("\u001b", "\u0007", "\r");
    }
}

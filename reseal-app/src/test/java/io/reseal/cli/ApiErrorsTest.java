package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** What the API commands say when the API is not there or refuses: one line, exit 2. */
class ApiErrorsTest {

    @Test
    void anUnreachableApiIsOneLineNamingTheUrl() throws Exception {
        // given: a port nothing listens on
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String api = "http://127.0.0.1:" + port;
        // when
        CommandRun rotate = CommandRun.of("rotate", "financial-ml", "dev", "a@example.com", "--api", api, "--token", "t");
        CommandRun status = CommandRun.of("status", "some-id", "--api", api, "--token", "t");
        // then
        for (CommandRun run : new CommandRun[] {rotate, status}) {
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err().strip()).isEqualTo("reseal: cannot reach the API at " + api
                    + ": connection refused (is ./reseal local or the rotation-producer running? see --api)");
        }
    }
}

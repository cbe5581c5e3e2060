package io.reseal.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code reseal local} opens nothing to the network unless told to: every listener is on the loopback address. */
class LocalStackBindIT {

    @Test
    void theApiTheOpsEndpointAndKafkaListenOnLoopbackOnly() throws Exception {
        InetAddress external = NetworkInterface.networkInterfaces()
                .filter(LocalStackBindIT::isUp)
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst()
                .orElseThrow(() -> new AssertionError("this test needs a non-loopback IPv4 address on the machine"));
        Path data = Files.createTempDirectory("reseal-bind-it").resolve("reseal-data");
        try (LocalStack stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null, name -> null,
                Clock.systemUTC())) {
            String kafka = stack.config().kafka().bootstrapServers();
            Map<String, Integer> ports = Map.of(
                    "api", stack.apiUrl().getPort(),
                    "ops", stack.opsUrl().getPort(),
                    "kafka", Integer.parseInt(kafka.substring(kafka.lastIndexOf(':') + 1)),
                    "smtp", stack.config().notifier().port());
            ports.forEach((name, port) -> {
                assertThat(connects(InetAddress.getLoopbackAddress(), port)).as(name + " on loopback").isTrue();
                assertThatThrownBy(() -> connect(external, port)).as(name + " on " + external)
                        .isInstanceOf(ConnectException.class);
            });
        }
    }

    private static boolean isUp(NetworkInterface nic) {
        try {
            return nic.isUp() && !nic.isLoopback();
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean connects(InetAddress address, int port) {
        try {
            connect(address, port);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
        }
    }
}

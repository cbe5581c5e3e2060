package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks a TCP port on the loopback interface once, so that a server can be restarted on the same port.
 * <p>
 * The port is free when it is picked; another process could take it before the server binds it. That
 * window is accepted: the servers here run on a developer or CI machine, not on a busy host.
 */
final class FreePort {

    private FreePort() {
    }

    /** Returns {@code requested} when it is a real port, else a port that is free now. */
    static int orGiven(int requested) {
        if (requested < 0 || requested > 65535) {
            throw new IllegalArgumentException("port must be 0 (any free port) or 1-65535, was " + requested);
        }
        if (requested != 0) {
            return requested;
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }
}

package io.reseal.cli.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay in front of a broker's SASL_PLAINTEXT listener, the address the {@code kafka-scram} issuer is given as
 * its {@code bootstrapServers}: it passes every connection through, except that, while {@link #hold} is armed, a
 * connection whose SCRAM client-first message ({@code n,,n=<user>,r=...}, plaintext in the SaslAuthenticate request)
 * names one of the held users is stalled: nothing more is passed either way until it is let go. So the issuer's test
 * step, which logs in as the pending user, waits at the broker's door (up to the Admin client's own timeouts), with
 * no hook in the sealer. Clients bootstrap through the relay and then talk to the broker's advertised address
 * directly, so only bootstrap connections pass here; that is where every new client logs in first.
 */
final class ScramLoginHold implements AutoCloseable {

    private static final int PEEK = 4096;

    private final ServerSocket server;
    private final String brokerHost;
    private final int brokerPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Armed armed;
    private volatile boolean closed;

    /** Relays {@code broker} ({@code host:port}) on a free port of 127.0.0.1. */
    ScramLoginHold(String broker) {
        int colon = broker.lastIndexOf(':');
        this.brokerHost = broker.substring(0, colon);
        this.brokerPort = Integer.parseInt(broker.substring(colon + 1));
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "scram-login-hold");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code 127.0.0.1:<port>}. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Stalls the next logins as any of {@code users} until the returned hold is closed. */
    CrashSubject.Hold hold(Set<String> users) {
        Armed hold = new Armed(users);
        armed = hold;
        return hold;
    }

    private final class Armed implements CrashSubject.Hold {

        private final Set<String> users;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        Armed(Set<String> users) {
            this.users = Set.copyOf(users);
        }

        boolean holds(String text) {
            return users.stream().anyMatch(user -> text.contains("n,,n=" + user + ",r="));
        }

        @Override
        public void awaitHeld() throws InterruptedException {
            if (!held.await(60, TimeUnit.SECONDS)) throw new AssertionError("no SCRAM login of " + users + " came to be held");
        }

        @Override
        public void close() {
            if (armed == this) armed = null;
            released.countDown();
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(brokerHost, brokerPort);
                open.add(client);
                open.add(broker);
                start(() -> clientToBroker(client, broker));
                start(() -> pump(broker, client));
            } catch (IOException e) {
                if (!closed) System.err.println("scram login hold: " + e);
            }
        }
    }

    private static void start(Runnable relay) {
        Thread thread = new Thread(relay, "scram-login-hold-relay");
        thread.setDaemon(true);
        thread.start();
    }

    /** Passes bytes on, looking into the first ones for a held user's login. */
    private void clientToBroker(Socket client, Socket broker) {
        try (client; broker) {
            InputStream in = client.getInputStream();
            OutputStream out = broker.getOutputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (seen.length() < PEEK) {
                    seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                    Armed hold = armed;
                    if (hold != null && hold.holds(seen.toString())) {
                        hold.held.countDown();
                        hold.released.await();
                        return; // let go of: the connection is dropped, as a broker that went away would
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // a side closed
        }
    }

    private static void pump(Socket from, Socket to) {
        try (from; to) {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // a side closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : open) socket.close();
    }
}

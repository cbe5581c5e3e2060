package io.reseal.embedded;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A Jetty server with one connector on {@code 127.0.0.1} at a free port: how the embedded HTTP servers listen. */
final class LoopbackJetty {

    private LoopbackJetty() {}

    /** A server (not started yet) that serves {@code handler} on {@code 127.0.0.1}, on a free port once started. */
    static Server serving(Handler handler) {
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(handler);
        return jetty;
    }

    /** The port a server made by {@link #serving} listens on, once started. */
    static int port(Server jetty) {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }
}

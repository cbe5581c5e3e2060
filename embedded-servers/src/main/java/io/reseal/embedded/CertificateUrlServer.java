package io.reseal.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP(S) server (the JDK's {@code com.sun.net.httpserver}) on 127.0.0.1 that serves a sealing certificate
 * the way a controller's {@code /v1/cert.pem} does, plus the hostile answers a URL may give: {@code /cert.pem} the
 * current PEM (changeable), {@code /redirect} a 302 to {@code /cert.pem}, {@code /endless} a chunked body that
 * never ends (it stops when the client hangs up). HTTPS with a server certificate of {@link TestCertificates}.
 */
public final class CertificateUrlServer implements AutoCloseable {

    private final HttpServer server;
    private final AtomicReference<String> pem;
    private final String scheme;

    private CertificateUrlServer(HttpServer server, String scheme, String pem) {
        this.server = server;
        this.scheme = scheme;
        this.pem = new AtomicReference<>(pem);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "certificate-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/cert.pem", exchange -> send(exchange, 200, this.pem.get()));
        server.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", url("/cert.pem"));
            send(exchange, 302, "");
        });
        server.createContext("/endless", CertificateUrlServer::endless);
        server.start();
    }

    /** An HTTPS server whose certificate the CA of {@code certificates} signed. */
    public static CertificateUrlServer https(TestCertificates certificates, String pem) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        char[] password = certificates.password().toCharArray();
        try (InputStream in = Files.newInputStream(certificates.serverKeystore())) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return new CertificateUrlServer(server, "https", pem);
    }

    /** A plain HTTP server. */
    public static CertificateUrlServer http(String pem) throws IOException {
        return new CertificateUrlServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0),
                "http", pem);
    }

    /** The URL of {@code path} on this server. */
    public String url(String path) {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Serves {@code pem} from now on. */
    public void serve(String pem) {
        this.pem.set(pem);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void endless(HttpExchange exchange) throws IOException {
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'A');
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write("-----BEGIN CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));
            while (true) {
                out.write(chunk); // until the client hangs up: the write then fails
            }
        } catch (IOException e) {
            // the client stopped reading
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package io.reseal.pipeline.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The operations endpoints of a worker service, on a port of their own (JDK HTTP server, no framework):
 * <ul>
 *   <li>{@code GET /health/live}: {@code 200} while the service's {@code live} check holds (its stage loop made
 *       progress recently, see {@code StageService#isRunning()}), else {@code 503}; a failing liveness probe is
 *       meant to get the process restarted.</li>
 *   <li>{@code GET /health/ready}: {@code 200} when liveness and every named readiness check hold, else
 *       {@code 503}; the JSON body names each check in the {@link Health} shape.</li>
 *   <li>{@code GET /metrics}: the registry in the Prometheus text format.</li>
 * </ul>
 * Anything else is {@code 404}, a method other than GET or HEAD {@code 405}. The responses hold check names,
 * fixed words and metric values only. Checks run on the server's two threads and may block briefly.
 * {@link #close()} stops the server; it is idempotent.
 */
public final class OpsServer implements AutoCloseable {

    /** The environment variable that sets the port; {@link #DEFAULT_PORT} without it, 0 for any free port. */
    public static final String PORT_VARIABLE = "RESEAL_OPS_PORT";
    public static final int DEFAULT_PORT = 8081;

    private final HttpServer server;
    private final ExecutorService threads;

    private OpsServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /**
     * Starts listening on all interfaces at {@code port} (0 for any free port).
     *
     * @param live whether the service still works (its stage loop polled recently)
     * @param readiness further conditions for taking work, by name (e.g. {@code kafka})
     */
    public static OpsServer start(int port, PrometheusMeterRegistry registry, BooleanSupplier live,
                                  Map<String, BooleanSupplier> readiness) {
        return start(new InetSocketAddress(checkedPort(port)), registry, live, readiness);
    }

    /**
     * Starts listening on {@code address} (port 0 for any free port), e.g. {@code 127.0.0.1} only for a local stack.
     *
     * @param live whether the service still works (its stage loop polled recently)
     * @param readiness further conditions for taking work, by name (e.g. {@code kafka})
     */
    public static OpsServer start(InetSocketAddress address, PrometheusMeterRegistry registry, BooleanSupplier live,
                                  Map<String, BooleanSupplier> readiness) {
        int port = checkedPort(address.getPort());
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on ops port " + port, e);
        }
        Map<String, BooleanSupplier> checks = new LinkedHashMap<>(readiness);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    send(exchange, 405, "application/json", "{\"error\":\"method-not-allowed\"}");
                    return;
                }
                switch (exchange.getRequestURI().getPath()) {
                    case "/health/live" -> health(exchange, Map.of("worker", live));
                    case "/health/ready" -> {
                        Map<String, BooleanSupplier> all = new LinkedHashMap<>();
                        all.put("worker", live);
                        all.putAll(checks);
                        health(exchange, all);
                    }
                    case "/metrics" -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
                    default -> send(exchange, 404, "application/json", "{\"error\":\"not-found\"}");
                }
            }
        });
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "reseal-ops-http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(threads);
        server.start();
        return new OpsServer(server, threads);
    }

    /** The port {@value #PORT_VARIABLE} of {@code environment} names, or {@link #DEFAULT_PORT} without it. */
    public static int port(Function<String, String> environment) {
        String value = environment.apply(PORT_VARIABLE);
        if (value == null || value.isBlank()) {
            return DEFAULT_PORT;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PORT_VARIABLE + " must be a port number, got '" + value.strip() + "'");
        }
    }

    private static void health(HttpExchange exchange, Map<String, BooleanSupplier> checks) throws IOException {
        Map<String, Boolean> results = new LinkedHashMap<>();
        checks.forEach((name, check) -> results.put(name, check.getAsBoolean()));
        send(exchange, Health.isUp(results) ? 200 : 503, "application/json", Health.json(results));
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The port it listens on (useful when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private static int checkedPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(PORT_VARIABLE + " must be between 0 and 65535, got " + port);
        }
        return port;
    }
}

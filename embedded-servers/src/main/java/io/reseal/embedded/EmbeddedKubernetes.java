package io.reseal.embedded;

import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * A stand-in Kubernetes API server: fabric8's mock server in CRUD mode over plain HTTP on {@code 127.0.0.1}.
 * Resources created through the API are stored and served back (get, list with label selectors, watch, patch,
 * delete), including custom resources such as {@code SealedSecret}s.
 * <p>
 * It also answers what {@code kubeseal --fetch-cert} asks a sealed-secrets controller through the API server's
 * service proxy, {@code GET /api/v1/namespaces/<ns>/services/http:<name>:/proxy/v1/cert.pem}, with the
 * certificate last given to {@link #serveControllerCertificate}; any other service-proxy request gets a 404.
 * <p>
 * Stored resources and certificates live in memory: they survive {@link #stop()}/{@link #start()} of this instance
 * (same port) and are gone after {@link #close()}. {@link #client()} is owned by this object and closed by
 * {@link #close()}. {@link #serveControllerCertificate} may be called from any thread, also while serving.
 * <p>
 * Every request served is remembered with its {@code User-Agent} ({@link #requests()}), so a test can hold what a
 * client called against the RBAC it is granted; give that client a user agent of its own
 * ({@link #client(String)}).
 */
public final class EmbeddedKubernetes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKubernetes.class);

    private final int port;
    private final Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    private final ControllerCertificateDispatcher dispatcher =
            new ControllerCertificateDispatcher(new KubernetesMixedDispatcher(expectations));
    private final KubernetesClient client;
    private final Queue<Request> requests = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private KubernetesMockServer server;

    /** One request served: who sent it, its method and its path with the query string. */
    public record Request(String userAgent, String method, String path) {}

    /** A server on a free port. */
    public EmbeddedKubernetes() {
        this(0);
    }

    /** @param port the port, or 0 for a free one, kept across restarts */
    public EmbeddedKubernetes(int port) {
        this.port = FreePort.orGiven(port);
        this.client = new KubernetesClientBuilder().withConfig(config(null)).build();
    }

    /**
     * The clients' configuration. Requests wait up to a minute rather than fabric8's 10 s: the mock server sends
     * watch events synchronously, waiting up to 30 s on a watch connection whose client went away, and meanwhile
     * answers nothing else.
     */
    private Config config(String userAgent) {
        ConfigBuilder config = new ConfigBuilder(Config.empty()).withMasterUrl(masterUrl()).withNamespace("default")
                .withHttp2Disable(true).withRequestTimeout(60_000);
        return (userAgent == null ? config : config.withUserAgent(userAgent)).build();
    }

    /** {@code http://127.0.0.1:<port>/}, known before the first start and stable across restarts. */
    public String masterUrl() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** A client for this server (default namespace {@code default}); owned by this object, do not close it. */
    public KubernetesClient client() {
        return client;
    }

    /** A new client for this server that sends {@code userAgent}; the caller closes it. */
    public KubernetesClient client(String userAgent) {
        return new KubernetesClientBuilder().withConfig(config(userAgent)).build();
    }

    /** Every request served so far, oldest first. */
    public java.util.List<Request> requests() {
        return java.util.List.copyOf(requests);
    }

    /** Starts serving, or serves again on the same port with the same resources; does nothing when running. */
    public void start() {
        if (server != null) {
            return;
        }
        KubernetesMockServer starting =
                new KubernetesMockServer(new Context(), new MockWebServer(), expectations, dispatcher, false);
        starting.init(InetAddress.getLoopbackAddress(), port);
        server = starting;
        LOG.info("Kubernetes API stand-in started on {}", masterUrl());
    }

    /** Stops serving and keeps the stored resources; does nothing when stopped. */
    public void stop() {
        if (server == null) {
            return;
        }
        server.destroy();
        server = null;
        LOG.info("Kubernetes API stand-in on {} stopped", masterUrl());
    }

    /**
     * Serves {@code pem} as the certificate of the sealed-secrets controller {@code serviceName} in {@code namespace},
     * replacing any earlier one (as when the controller renews its key).
     */
    public void serveControllerCertificate(String namespace, String serviceName, String pem) {
        dispatcher.certificates.put(controllerCertificatePath(namespace, serviceName), Objects.requireNonNull(pem));
    }

    /** The service-proxy path {@code kubeseal --fetch-cert} reads a controller's certificate from. */
    public static String controllerCertificatePath(String namespace, String serviceName) {
        return "/api/v1/namespaces/" + namespace + "/services/http:" + serviceName + ":/proxy/v1/cert.pem";
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            stop();
        }
    }

    /**
     * Answers service-proxy requests itself (the certificates it was given, else 404 as for a missing service) and
     * hands every other request to fabric8's CRUD dispatcher, which would answer them with an empty list.
     */
    private final class ControllerCertificateDispatcher extends Dispatcher {

        private static final Pattern SERVICE_PROXY =
                Pattern.compile("/api/v1/namespaces/[^/]+/services/([^/]+)/proxy(/.*)?");

        private final Map<String, String> certificates = new ConcurrentHashMap<>();
        private final Dispatcher crud;

        ControllerCertificateDispatcher(Dispatcher crud) {
            this.crud = crud;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            requests.add(new Request(request.getHeader("User-Agent"), request.getMethod(), request.getPath()));
            String path = URI.create(request.getPath()).getPath();
            Matcher serviceProxy = SERVICE_PROXY.matcher(path);
            if (!serviceProxy.matches()) {
                return crud.dispatch(request);
            }
            String pem = "GET".equals(request.getMethod()) ? certificates.get(path) : null;
            if (pem == null) {
                return new MockResponse().setResponseCode(404)
                        .setHeader("Content-Type", "application/json")
                        .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"reason\":\"NotFound\",\"code\":404,\"message\":\"no service proxy answers "
                                + serviceProxy.group(1).replace("\"", "") + "\"}");
            }
            return new MockResponse().setResponseCode(200)
                    .setHeader("Content-Type", "text/plain; charset=utf-8")
                    .setBody(pem);
        }

        @Override
        public void shutdown() {
            crud.shutdown();
        }

        @Override
        public void releaseResources() {
            crud.releaseResources();
        }
    }
}

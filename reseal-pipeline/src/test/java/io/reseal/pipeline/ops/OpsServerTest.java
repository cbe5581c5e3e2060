package io.reseal.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void readinessNamesTheCheckThatFailsAndLivenessIgnoresIt() throws Exception {
        // given
        Counter.builder("reseal.test").register(registry).increment();
        try (OpsServer ops = OpsServer.start(0, registry, () -> true, Map.of("kafka", () -> false))) {
            // when / then
            assertThat(get(ops, "GET", "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(ops, "GET", "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("{\"status\":\"down\",\"checks\":{\"worker\":\"up\",\"kafka\":\"down\"}}");
            HttpResponse<String> metrics = get(ops, "GET", "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).contains("reseal_test_total 1.0");
            assertThat(get(ops, "GET", "/elsewhere").statusCode()).isEqualTo(404);
            assertThat(get(ops, "POST", "/metrics").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void thePortComesFromResealOpsPort() {
        assertThat(OpsServer.port(name -> null)).isEqualTo(8081);
        assertThat(OpsServer.port(Map.of("RESEAL_OPS_PORT", " 9100 ")::get)).isEqualTo(9100);
        assertThatThrownBy(() -> OpsServer.port(Map.of("RESEAL_OPS_PORT", "http")::get))
                .hasMessageContaining("RESEAL_OPS_PORT");
        assertThatThrownBy(() -> OpsServer.start(70000, registry, () -> true, Map.of()))
                .hasMessageContaining("RESEAL_OPS_PORT");
    }

    private HttpResponse<String> get(OpsServer ops, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + ops.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}

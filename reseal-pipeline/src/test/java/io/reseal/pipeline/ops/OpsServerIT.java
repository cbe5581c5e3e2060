package io.reseal.pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.TraceParent;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.StageHandler;
import io.reseal.pipeline.stage.StageService;
import io.reseal.pipeline.stage.TopicScanner;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A stage service with its ops endpoints against a real broker: the counters move, health follows the worker, traces carry on. */
class OpsServerIT {

    private static EmbeddedKafka kafka;
    private final EventCodec codec = new EventCodec();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startKafka() {
        kafka = new EmbeddedKafka();
        kafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void stageCountersMoveHealthFollowsTheWorkerAndTheTraceIsCarriedOn() throws Exception {
        // given a stage service with its metrics and ops endpoints
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> names = new HashMap<>();
        for (EventType type : EventType.values()) if (type.carrier() == type) names.put(type.shortName(), type.defaultTopic() + "." + suffix);
        KafkaConfig config = new KafkaConfig(kafka.bootstrapServers(), 1, (short) 1, names, Duration.ofSeconds(5));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        StageService service = StageService.start(config, new NotifyingHandler(), EventType.NOTIFIED, Clock.systemUTC(),
                new StageMetrics(registry));
        KafkaReadiness readiness = new KafkaReadiness(clients(kafka.bootstrapServers()), "ops-it");
        OpsServer ops = OpsServer.start(0, registry, service::isRunning, Map.of("kafka", readiness::isReachable));
        String requested = config.topicNames().of(EventType.REQUESTED);
        TraceParent incoming = TraceParent.start();

        try (KafkaProducer<String, byte[]> producer = producer()) {
            // when: two good requests (one with a trace), one that fails for good, one that is not an event
            ProducerRecord<String, byte[]> traced = codec.toRecord(requested, request("rot-1"));
            traced.headers().add(TraceParent.HEADER, incoming.header().getBytes(StandardCharsets.UTF_8));
            producer.send(traced).get();
            producer.send(codec.toRecord(requested, request("rot-2"))).get();
            producer.send(codec.toRecord(requested, request("rot-bad"))).get();
            producer.send(new ProducerRecord<>(requested, "x", "{not json".getBytes(StandardCharsets.UTF_8))).get();

            // then the counters move
            await().atMost(Duration.ofSeconds(60)).until(() -> value(scrape(ops), "reseal_stage_records_consumed_total",
                    "stage=\"test-stage\"") == 4.0);
            String metrics = scrape(ops);
            assertThat(value(metrics, "reseal_stage_records_succeeded_total", "stage=\"test-stage\"")).isEqualTo(2.0);
            assertThat(value(metrics, "reseal_stage_records_failed_total", "reason=\"failed\"")).isEqualTo(1.0);
            assertThat(value(metrics, "reseal_stage_records_failed_total", "reason=\"invalid\"")).isEqualTo(1.0);
            assertThat(value(metrics, "reseal_failed_topic_records_total", "code=\"no-such-thing\"")).isEqualTo(1.0);
            assertThat(value(metrics, "reseal_failed_topic_records_total", "code=\"invalid-json\"")).isEqualTo(1.0);
            assertThat(value(metrics, "reseal_stage_latency_seconds_count", "stage=\"test-stage\"")).isEqualTo(2.0);
            assertThat(metrics).contains("reseal_stage_latency_seconds_bucket{");
            assertThat(get(ops, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(ops, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"up\",\"checks\":{\"worker\":\"up\",\"kafka\":\"up\"}}");

            // and every output record carries a trace: the incoming one's trace id with a new parent id
            Map<String, TraceParent> traces = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : new TopicScanner(clients(kafka.bootstrapServers()))
                    .readAll(config.topicNames().of(EventType.NOTIFIED), Duration.ofSeconds(20))) {
                traces.put(codec.fromRecord(record).rotationId(),
                        TraceParent.parse(EventCodec.header(record, TraceParent.HEADER)).orElseThrow());
            }
            assertThat(traces.get("rot-1").traceId()).isEqualTo(incoming.traceId());
            assertThat(traces.get("rot-1").parentId()).isNotEqualTo(incoming.parentId());
            assertThat(traces.get("rot-2").traceId()).isNotEqualTo(incoming.traceId());
            for (ConsumerRecord<String, byte[]> failed : new TopicScanner(clients(kafka.bootstrapServers()))
                    .readAll(config.topicNames().of(EventType.FAILED), Duration.ofSeconds(20))) {
                assertThat(TraceParent.parse(EventCodec.header(failed, TraceParent.HEADER))).isPresent();
            }
        } finally {
            service.close();
        }
        // when the worker has stopped, the service is neither live nor ready
        try (ops; readiness) {
            assertThat(get(ops, "/health/live").statusCode()).isEqualTo(503);
            assertThat(get(ops, "/health/ready").body()).contains("\"worker\":\"down\"");
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static RotationEvent<RotationRequested> request(String rotationId) {
        return RotationEvent.forRotation(rotationId, EventType.REQUESTED, "/test", "financial-ml",
                OffsetDateTime.now(ZoneOffset.UTC), new RotationRequested("financial-ml", List.of("dev"), List.of(),
                        "financial-team@example.com", null, Trigger.AD_HOC, null));
    }

    private HttpResponse<String> get(OpsServer ops, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + ops.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String scrape(OpsServer ops) throws Exception {
        HttpResponse<String> response = get(ops, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}; 0 when there is none. */
    static double value(String scrape, String name, String label) {
        return Arrays.stream(scrape.split("\n"))
                .filter(line -> line.startsWith(name + "{") && line.contains(label))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElse(0.0);
    }

    /** Notifies every request, except {@code rot-bad}, which fails for good. */
    static final class NotifyingHandler implements StageHandler {

        @Override
        public String stage() {
            return "test-stage";
        }

        @Override
        public EventType consumes() {
            return EventType.REQUESTED;
        }

        @Override
        public List<RotationEvent<?>> handle(RotationEvent<?> event) throws PermanentStageException {
            if (event.rotationId().equals("rot-bad")) {
                throw new PermanentStageException("no-such-thing", "the test says no");
            }
            return List.of(RotationEvent.forRotation(event.rotationId(), EventType.NOTIFIED, "/test", event.subject(),
                    event.time(), new RotationNotified(event.rotationId(), event.subject(), List.of("a@example.com"),
                            "<m@test>", event.time().toInstant())));
        }
    }

    private static KafkaClients clients(String bootstrapServers) {
        return new KafkaClients(KafkaConfig.defaults().withBootstrapServers(bootstrapServers));
    }
}

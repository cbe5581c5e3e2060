package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.KeyApproved;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.RotationProducer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code POST /api/v1/clusters/{cluster}/keys/{fingerprint}/approve} through the real server and a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyApprovalApiIT {

    private static final String INFRA_TOKEN = "infra-token-" + UUID.randomUUID();
    private static final String TEAM_TOKEN = "team-token-" + UUID.randomUUID();
    private static final String LIMITED_TOKEN = "limited-token-" + UUID.randomUUID();
    private static final String HEX = "0123456789abcdef".repeat(4);

    private final HttpClient http = HttpClient.newHttpClient();
    private ProducerFixture fixture;
    private KafkaConfig kafkaConfig;
    private RotationProducer producer;

    @BeforeAll
    void start() {
        fixture = new ProducerFixture(List.of(
                new ApiToken("infra", ApiToken.sha256Hex(INFRA_TOKEN), List.of("*")),
                new ApiToken("team", ApiToken.sha256Hex(TEAM_TOKEN), List.of("financial-ml")),
                new ApiToken("limited", ApiToken.sha256Hex(LIMITED_TOKEN), List.of("*"), 2)));
        kafkaConfig = fixture.kafkaConfig();
        producer = fixture.start();
    }

    @AfterAll
    void stop() {
        if (fixture != null) fixture.close();
    }

    @Test
    void onlyATokenForEveryWorkflowMayApproveAKeyAndTheApprovalIsOnKafka() throws Exception {
        assertThat(approve(null, "dev-cluster", HEX).statusCode()).isEqualTo(401);
        HttpResponse<String> forbidden = approve(TEAM_TOKEN, "dev-cluster", HEX);
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("\"code\":\"forbidden\"");
        HttpResponse<String> malformed = approve(INFRA_TOKEN, "dev-cluster", "SHA256:not-a-digest");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("\"field\":\"fingerprint\"");
        assertThat(approve(INFRA_TOKEN, "Dev_Cluster", HEX).statusCode()).isEqualTo(400);
        assertThat(approvals("dev-cluster")).isEmpty();

        HttpResponse<String> approved = approve(INFRA_TOKEN, "dev-cluster", "SHA256:" + HEX.toUpperCase());
        assertThat(approved.statusCode()).as(approved.body()).isEqualTo(202);
        assertThat(approved.body()).contains("\"fingerprint\":\"" + HEX + "\"");

        List<RotationEvent<?>> approvals = approvals("dev-cluster");
        assertThat(approvals).hasSize(1);
        assertThat(approvals.get(0).source()).isEqualTo(URI.create("/reseal/rotation-producer"));
        assertThat(approvals.get(0).rotationId()).isNull();
        assertThat(approvals.get(0).dataAs(KeyApproved.class)).isEqualTo(new KeyApproved("dev-cluster", HEX, "infra"));
    }

    @Test
    void approvalsCountAgainstTheTokensRequestsPerMinute() throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            statuses.add(approve(LIMITED_TOKEN, "rate-cluster", HEX).statusCode());
        }
        // two per minute; one minute boundary during the loop allows at most two more, never all five
        assertThat(statuses).contains(429).filteredOn(s -> s == 202).hasSizeBetween(2, 4);
        HttpResponse<String> refused = approve(LIMITED_TOKEN, "rate-cluster", HEX);
        if (refused.statusCode() == 429) {
            assertThat(refused.body()).contains("\"code\":\"rate-limited\"");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        }
    }

    private HttpResponse<String> approve(String token, String cluster, String fingerprint) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + producer.port()
                + "/api/v1/clusters/" + cluster + "/keys/" + fingerprint + "/approve")).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The approvals on Kafka for one cluster (the tests of this class use a cluster each). */
    private List<RotationEvent<?>> approvals(String cluster) {
        EventCodec codec = new EventCodec();
        List<RotationEvent<?>> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : new TopicScanner(new KafkaClients(kafkaConfig))
                .readAll(kafkaConfig.topicNames().of(EventType.KEY_APPROVED), Duration.ofSeconds(10))) {
            try {
                RotationEvent<?> event = codec.fromRecord(record);
                if (cluster.equals(event.subject())) {
                    events.add(event);
                }
            } catch (InvalidEventException e) {
                throw new AssertionError(e);
            }
        }
        return events;
    }
}

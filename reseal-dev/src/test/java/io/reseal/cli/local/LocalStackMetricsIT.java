package io.reseal.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.status.RotationStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One rotation through the whole embedded stack: every worker's counters move on the ops endpoint. */
class LocalStackMetricsIT {

    @Test
    void aRotationMovesTheCountersOfEveryStage() throws Exception {
        Path data = Files.createTempDirectory("reseal-metrics-it").resolve("reseal-data");
        try (LocalStack stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 0, 0, 0), null, name -> null,
                Clock.systemUTC())) {
            String before = scrape(stack.opsUrl());
            assertThat(value(before, "reseal_stage_records_succeeded_total{stage=\"sealer\"}")).isZero();

            RotateClient client = new RotateClient(stack.apiUrl(), stack.apiToken(), Duration.ofMillis(200));
            String rotationId = client.rotate("financial-ml", List.of("dev", "production"),
                    "financial-team@example.com", List.of(), "metrics test");
            RotationStatus status = client.waitFor(rotationId, Duration.ofMinutes(3));
            assertThat(status.stage()).isEqualTo("notified");

            String after = scrape(stack.opsUrl());
            for (String stage : List.of("sealer", "packager", "notifier")) {
                assertThat(value(after, "reseal_stage_records_consumed_total{stage=\"" + stage + "\"}")).as(stage).isEqualTo(1.0);
                assertThat(value(after, "reseal_stage_records_succeeded_total{stage=\"" + stage + "\"}")).as(stage).isEqualTo(1.0);
                assertThat(value(after, "reseal_stage_latency_seconds_count{stage=\"" + stage + "\"}")).as(stage).isEqualTo(1.0);
            }
            assertThat(value(after, "reseal_emails_sent_total")).isEqualTo(1.0);
            assertThat(after).containsPattern("reseal_sealer_certificate_info\\{cluster=\"local\",fingerprint=\"[0-9a-f]{64}\"} 1(\\.0)?\n");
            // the data folder and the private keys are the owner's only
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
            for (String key : List.of("sealing-key/tls.key", "signing/package-signing.pem")) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(key)))).as(key)
                        .isEqualTo("rw-------");
            }
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(stack.opsUrl().resolve("/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    private static String scrape(URI ops) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(ops.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the sample written exactly as {@code series}; 0 when absent. */
    private static double value(String scrape, String series) {
        return Arrays.stream(scrape.split("\n"))
                .filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).strip()))
                .findFirst()
                .orElse(0.0);
    }
}

package io.reseal.producer.publish;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.KeyApproved;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.TraceParent;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes {@code RotationRequested} events to the requested topic (and {@code RotationFinishing} to the finishing
 * topic, {@code KeyApproved} to the key-approved topic, {@code RotationRelinkRequested} to the relink-requested topic) with an idempotent producer and
 * {@code acks=all}: a returned future completes only once every in-sync replica has the record, and fails
 * (never hangs) within the delivery timeout when Kafka is unreachable. Thread-safe; closes its producer.
 */
public final class RequestPublisher implements AutoCloseable {

    /** The CloudEvents {@code source} of every event the producer writes. */
    public static final String SOURCE = "/reseal/rotation-producer";

    /** Record header carrying the scheduled instant (ISO-8601) of a scheduled rotation. */
    public static final String HEADER_SCHEDULED_FOR = "reseal.scheduled.for";

    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final String finishingTopic;
    private final String keyApprovedTopic;
    private final String relinkTopic;
    private final EventCodec codec = new EventCodec();

    public RequestPublisher(KafkaClients clients, Topics topics, String clientId) {
        Map<String, Object> props = new java.util.HashMap<>();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DELIVERY_TIMEOUT.toMillis());
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producer = clients.producer(null, props);
        this.topic = topics.of(EventType.REQUESTED);
        this.finishingTopic = topics.of(EventType.FINISHING);
        this.keyApprovedTopic = topics.of(EventType.KEY_APPROVED);
        this.relinkTopic = topics.of(EventType.RELINK_REQUESTED);
    }

    /** Sends an operator's approval of a cluster's held key; completes when Kafka acknowledged it. Off any event loop. */
    public CompletableFuture<Void> publishKeyApproval(RotationEvent<KeyApproved> event) {
        return send(codec.toRecord(keyApprovedTopic, event));
    }

    /** Sends a request for a fresh download link; completes when Kafka acknowledged it. Off any event loop. */
    public CompletableFuture<Void> publishRelink(RotationEvent<RotationRelinkRequested> event) {
        return send(codec.toRecord(relinkTopic, event));
    }

    /** Sends a request to finish a rotation; completes when Kafka acknowledged it. Call it off any event loop. */
    public CompletableFuture<Void> publishFinishing(RotationEvent<RotationFinishing> event) {
        return send(codec.toRecord(finishingTopic, event));
    }

    private CompletableFuture<Void> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) ack.completeExceptionally(error);
                else ack.complete(null);
            });
        } catch (RuntimeException e) {
            ack.completeExceptionally(e);
        }
        return ack;
    }

    /** Sends the events (all of them, in order) and completes when Kafka acknowledged every one. */
    public CompletableFuture<Void> publish(List<RotationEvent<RotationRequested>> events) {
        return publish(events, Map.of());
    }

    /**
     * Sends the events with extra record headers; completes when Kafka acknowledged every one, or fails with
     * the first error. {@code send} may block up to 5 s when the cluster's metadata is unknown: call it
     * off any event loop. Every record carries a {@code traceparent}: the one in {@code headers}, or a new
     * trace per event.
     */
    public CompletableFuture<Void> publish(List<RotationEvent<RotationRequested>> events, Map<String, String> headers) {
        CompletableFuture<?>[] acks = new CompletableFuture<?>[events.size()];
        for (int i = 0; i < events.size(); i++) {
            ProducerRecord<String, byte[]> record = codec.toRecord(topic, events.get(i));
            headers.forEach((name, value) ->
                    record.headers().add(name, value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            if (!headers.containsKey(TraceParent.HEADER)) {
                record.headers().add(TraceParent.HEADER,
                        TraceParent.start().header().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            CompletableFuture<Void> ack = new CompletableFuture<>();
            try {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        ack.completeExceptionally(error);
                    } else {
                        ack.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                ack.completeExceptionally(e);
            }
            acks[i] = ack;
        }
        return CompletableFuture.allOf(acks);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

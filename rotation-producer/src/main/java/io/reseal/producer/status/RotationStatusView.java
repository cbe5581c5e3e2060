package io.reseal.producer.status;

import io.reseal.pipeline.event.AdoptionEvents;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status of every rotation, built by reading all five stage topics from the beginning
 * ({@code read_committed}, partitions assigned by hand, no consumer group and no committed offsets). So
 * every replica holds the whole picture, and a restarted one rebuilds it; {@link #loaded()} tells when
 * the topics have been read up to where they ended at {@link #start()}.
 *
 * <p>Thread-safe: one background thread consumes; {@link #find} and {@link #record} may be called from
 * any thread. Memory grows with the number of rotations the topics retain. Partitions added after
 * {@link #start()} are not read until a restart. The requested events also feed the {@link IdempotencyIndex}
 * ({@link #idempotency()}), so every replica knows what each {@code Idempotency-Key} stood for.
 */
public final class RotationStatusView implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotationStatusView.class);

    private final Map<String, RotationStatus> byId = new ConcurrentHashMap<>();
    private final CredentialAges credentialAges = new CredentialAges();
    private final java.util.function.Consumer<RotationRequested> newRequests;
    private final Consumer<String, byte[]> consumer;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private final IdempotencyIndex idempotency;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private Thread thread;

    /**
     * @param clock what the {@link IdempotencyIndex}'s window counts from
     * @param newRequests told of each rotation request first seen after the view {@link #loaded() loaded} (once per
     *     rotation id, whether the API recorded it or it came from the topic), on the thread that saw it
     */
    public RotationStatusView(KafkaClients clients, Topics topics, Clock clock,
                              java.util.function.Consumer<RotationRequested> newRequests) {
        this.newRequests = newRequests;
        this.consumer = clients.consumer(null, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "reseal-status-view"));
        this.topics = topics;
        this.idempotency = new IdempotencyIndex(clock);
    }

    /** Assigns every partition of the stage topics (which must exist) and starts reading on a daemon thread. */
    public synchronized void start() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics.all().values().stream().distinct().sorted().toList()) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        thread = new Thread(() -> run(ends), "reseal-status-view");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Map<TopicPartition, Long> ends) {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    apply(record);
                }
                if (loaded.getCount() > 0 && caughtUp(ends)) {
                    LOG.info("status view loaded: {} rotation(s)", byId.size());
                    loaded.countDown();
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } catch (KafkaException e) {
            LOG.error("status view stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        try {
            // The record's timestamp is when the stage published it; the event's own time is the rotation's.
            record(codec.fromRecord(record), Instant.ofEpochMilli(record.timestamp()));
        } catch (InvalidEventException e) {
            LOG.debug("status view skips {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
        }
    }

    /** Takes {@code event} into account (also called by the API for a request it just published). */
    public void record(RotationEvent<?> event) {
        record(event, event.time().toInstant());
    }

    /** Takes {@code event}, published at {@code at}, into account. */
    void record(RotationEvent<?> event, Instant at) {
        String rotationId = event.rotationId();
        if (event.data() instanceof RotationFailed failed && failed.rotationId() != null) {
            rotationId = failed.rotationId();
        }
        if (rotationId == null) {
            return;
        }
        idempotency.learn(event, at);
        boolean relinkFailed = event.data() instanceof RotationFailed failed && RelinkData.isRelinkStage(failed.stage());
        if (!event.type().isStage() || relinkFailed) { // adoption, a deferred finish, a relink: the stage stays
            if (event.type().isAdoption() && !AdoptionEvents.fromWatcher(event)) {
                LOG.debug("status view ignores adoption event {}: not in the shape the adoption watcher publishes",
                        RequestRules.printable(event.id()));
                return;
            }
            byId.compute(rotationId, (id, known) -> (known == null ? RotationStatus.empty(id) : known).withAside(event));
            return;
        }
        credentialAges.record(event, rotationId);
        boolean[] first = {false};
        byId.compute(rotationId, (id, known) -> {
            RotationStatus before = known == null ? RotationStatus.empty(id) : known;
            first[0] = event.type() == EventType.REQUESTED && !before.stages().containsKey(EventType.REQUESTED.shortName());
            return before.with(event, at);
        });
        if (first[0] && loaded() && event.data() instanceof RotationRequested request) {
            newRequests.accept(request);
        }
    }

    /** What each {@code Idempotency-Key} stood for, as far as this view has read. */
    public IdempotencyIndex idempotency() {
        return idempotency;
    }

    public Optional<RotationStatus> find(String rotationId) {
        return Optional.ofNullable(byId.get(rotationId));
    }

    /** Every known rotation's status (a snapshot). */
    public List<RotationStatus> all() {
        return List.copyOf(byId.values());
    }

    /** Whether the topics were read up to where they ended when the view started. */
    public boolean loaded() {
        return loaded.getCount() == 0;
    }

    /** When each workflow's bundles were last delivered. */
    public CredentialAges credentialAges() {
        return credentialAges;
    }

    /**
     * How long the oldest rotation currently at {@code stage} has been there at {@code now}, in seconds; 0 when
     * none is. A rotation stuck in {@code requested}, {@code sealed}, {@code packaged} or {@code finishing} shows here.
     */
    public double oldestAt(String stage, Instant now) {
        return byId.values().stream().filter(s -> stage.equals(s.stage()) && s.stages().containsKey(stage))
                .mapToDouble(s -> Math.max(0, Duration.between(s.stages().get(stage), now).toMillis() / 1000.0))
                .max().orElse(0);
    }

    /**
     * How many known rotations failed while finishing: a finish was asked, then the rotation failed (not before the
     * ask), and nothing was revoked; their previous credentials are still valid.
     */
    public long revocationsFailed() {
        String finishing = EventType.FINISHING.shortName();
        String failed = EventType.FAILED.shortName();
        return byId.values().stream().filter(s -> s.stages().containsKey(finishing) && s.stages().containsKey(failed)
                        && !s.stages().get(failed).isBefore(s.stages().get(finishing))
                        && !s.stages().containsKey(EventType.FINISHED.shortName()))
                .count();
    }

    /** How many known rotations are currently at {@code stage}. */
    public long count(String stage) {
        return byId.values().stream().filter(s -> stage.equals(s.stage())).count();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                stopped.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}

package io.reseal.producer.status;

import io.reseal.pipeline.event.AdoptionEvents;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import java.time.Clock;
import java.time.Duration;
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
    private final Consumer<String, byte[]> consumer;
    private final Topics topics;
    private final EventCodec codec = new EventCodec();
    private final IdempotencyIndex idempotency;
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private Thread thread;

    /** @param clock what the {@link IdempotencyIndex}'s window counts from */
    public RotationStatusView(KafkaClients clients, Topics topics, Clock clock) {
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
            record(codec.fromRecord(record), java.time.Instant.ofEpochMilli(record.timestamp()));
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
    void record(RotationEvent<?> event, java.time.Instant at) {
        String rotationId = event.rotationId();
        if (event.data() instanceof RotationFailed failed && failed.rotationId() != null) {
            rotationId = failed.rotationId();
        }
        if (rotationId == null) {
            return;
        }
        idempotency.learn(event, at);
        if (event.type().isAdoption()) { // not a pipeline stage: the stage stays
            if (!AdoptionEvents.fromWatcher(event)) {
                LOG.debug("status view ignores adoption event {}: not in the shape the adoption watcher publishes",
                        event.id());
                return;
            }
            byId.compute(rotationId, (id, known) -> (known == null ? RotationStatus.empty(id) : known).withAdoption(event));
            return;
        }
        byId.compute(rotationId, (id, known) -> (known == null ? RotationStatus.empty(id) : known).with(event, at));
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

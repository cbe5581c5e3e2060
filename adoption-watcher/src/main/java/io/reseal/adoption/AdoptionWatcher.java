package io.reseal.adoption;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.adoption.AdoptionTarget.NamespaceRef;
import io.reseal.adoption.kube.AdoptionProbe;
import io.reseal.adoption.kube.NamespaceInformers;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.AdoptionEvents;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationReminded;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.Topics;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.leadership.Leadership;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adoption watcher service. It reads the sealed, packaged, notified and adopted topics from the beginning (no
 * consumer group), so at start-up it knows every rotation's targets, its link's expiry, and every state change and
 * reminder already published; only then
 * does it watch the clusters, with {@link NamespaceInformers} on each namespace a rotation still being adopted
 * was sealed for. Whenever an informer reports a change, and every {@code tick} (for deadlines), it publishes on
 * the adopted topic the changes the {@link AdoptionTracker} finds due, each once: a change is taken into account
 * only after the broker acknowledged it, so a failed send is retried and a restart repeats nothing.
 *
 * <p>Replicas: every replica reads the topics, but only the one that holds the {@link Leadership} watches the
 * clusters and publishes, and only once it has read the topics up to where they ended when it became leader, so it
 * knows every change its predecessor published. A replica that loses leadership stops its informers and publishes
 * nothing more; a change whose send was already under way when the lease passed on may be published again by the
 * successor, with the same event id. Events name namespaces, clusters and states, never a value.
 * {@link #close()} stops the informers, gives up leadership, and closes the consumer and the producer.
 *
 * <p>From the adopted topic it takes only what was published while it did not lead (its predecessor's changes, and
 * its own history before it started) and is in the shape the watcher publishes ({@link AdoptionEvents#fromWatcher});
 * records it reads while leading are its own publishes (taken into account when the broker acknowledged them) or
 * someone else's, and count for nothing. So a forged {@code rolled-out} can neither hide a namespace's real changes
 * nor complete a rotation early while a watcher leads.
 */
public final class AdoptionWatcher implements AutoCloseable {

    public static final String SOURCE = AdoptionEvents.SOURCE;
    private static final Logger LOG = LoggerFactory.getLogger(AdoptionWatcher.class);

    private final AdoptionConfig config;
    private final Topics topics;
    private final Function<String, KubernetesClient> clusters;
    private final Clock clock;
    private final AdoptionTracker tracker;
    private final AdoptionListener listener;
    private final AdoptionMetrics metrics;
    private final Leadership leadership;
    private final AdoptionProbe probe = new AdoptionProbe();
    private final EventCodec codec = new EventCodec();
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final ScheduledExecutorService evaluator = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "reseal-adoption-evaluator");
        t.setDaemon(true);
        return t;
    });
    private final Map<NamespaceRef, NamespaceInformers> informers = new HashMap<>();
    private final AtomicBoolean evaluationQueued = new AtomicBoolean();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    /** Leader, and caught up with the topics as they were when it became leader; written by the reader thread. */
    private volatile boolean leading;
    /** Reader thread only: the offsets to reach before leading, once leadership was gained. */
    private Map<TopicPartition, Long> leaderCatchUp;
    private Thread reader;

    private AdoptionWatcher(AdoptionConfig config, KafkaConfig kafka, Function<String, KubernetesClient> clusters,
                            Clock clock, AdoptionListener listener, MeterRegistry registry, Leadership leadership) {
        this.config = config;
        this.leadership = leadership;
        this.topics = kafka.topicNames();
        this.clusters = clusters;
        this.clock = clock;
        this.listener = listener;
        this.tracker = new AdoptionTracker(config.complete(), config.deadline());
        this.metrics = new AdoptionMetrics(registry, tracker, config.complete());
        KafkaClients clients = new KafkaClients(kafka);
        this.consumer = clients.consumer(null, Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.CLIENT_ID_CONFIG, "reseal-adoption-watcher"));
        this.producer = clients.producer(null, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "reseal-adoption-watcher"));
    }

    /**
     * Starts reading the topics (which must exist) and, once they are read, watching the clusters.
     *
     * @param clusters the client of each cluster by name (owned by the caller)
     * @param tick how often deadlines are checked and every target looked at again
     * @param listener told of each change after it was published (reminders and failure mails hang here)
     * @param registry where {@link AdoptionMetrics} go
     */
    public static AdoptionWatcher start(AdoptionConfig config, KafkaConfig kafka,
                                        Function<String, KubernetesClient> clusters, Clock clock, Duration tick,
                                        AdoptionListener listener, MeterRegistry registry) {
        return start(config, kafka, clusters, clock, tick, listener, registry, Leadership.always());
    }

    /**
     * Starts as {@link #start(AdoptionConfig, KafkaConfig, Function, Clock, Duration, AdoptionListener, MeterRegistry)}
     * does, watching and publishing only while {@code leadership} says so; {@link #close()} closes {@code leadership}.
     */
    public static AdoptionWatcher start(AdoptionConfig config, KafkaConfig kafka,
                                        Function<String, KubernetesClient> clusters, Clock clock, Duration tick,
                                        AdoptionListener listener, MeterRegistry registry, Leadership leadership) {
        AdoptionWatcher watcher = new AdoptionWatcher(config, kafka, clusters, clock, listener, registry, leadership);
        watcher.startReading();
        watcher.evaluator.scheduleWithFixedDelay(watcher::queueEvaluation, tick.toMillis(), tick.toMillis(),
                TimeUnit.MILLISECONDS);
        return watcher;
    }

    private void startReading() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : Stream.of(EventType.SEALED, EventType.PACKAGED, EventType.NOTIFIED, EventType.ADOPTED,
                EventType.ADOPTION_COMPLETE, EventType.REMINDED).map(topics::of).distinct().toList()) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        reader = new Thread(() -> read(ends), "reseal-adoption-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read(Map<TopicPartition, Long> ends) {
        try {
            while (running) {
                boolean any = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    any |= apply(record);
                }
                if (loaded.getCount() > 0 && caughtUp(ends)) {
                    LOG.info("adoption watcher loaded: {} rotation(s) being adopted", tracker.openRotations().size());
                    loaded.countDown();
                    any = true;
                }
                if (loaded.getCount() == 0) {
                    any |= followLeadership();
                }
                if (any && loaded.getCount() == 0) {
                    queueEvaluation();
                }
            }
        } catch (WakeupException e) {
            // close() was called
        } catch (KafkaException e) {
            LOG.error("adoption watcher stopped reading: {}", e.toString());
            running = false;
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> ends) {
        return ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    /**
     * Reader thread: starts leading once leader and caught up with the topics as they ended at that moment; stops at
     * once when leadership is lost. Whether an evaluation is due (to start watching, or to stop).
     */
    private boolean followLeadership() {
        if (!leadership.isLeader()) {
            leaderCatchUp = null;
            if (leading) {
                leading = false;
                LOG.info("adoption: no longer the leader; stops watching the clusters");
                return true;
            }
            return false;
        }
        if (leading) {
            return false;
        }
        if (leaderCatchUp == null) {
            leaderCatchUp = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
        }
        if (!caughtUp(leaderCatchUp)) {
            return false;
        }
        leaderCatchUp = null;
        leading = true;
        LOG.info("adoption: leader, and has read every change published before; watches the clusters");
        return true;
    }

    /** Takes one record in; whether it may call for new changes (a rotation to watch or a delivery). */
    private boolean apply(ConsumerRecord<String, byte[]> record) {
        RotationEvent<?> event;
        try {
            event = codec.fromRecord(record);
        } catch (InvalidEventException e) {
            LOG.warn("adoption watcher skips {}-{}@{}: {} ({})", record.topic(), record.partition(), record.offset(),
                    RequestRules.printable(e.getMessage()), e.code());
            return false;
        }
        Instant at = Instant.ofEpochMilli(record.timestamp());
        if (event.data() instanceof RotationSealed sealed) {
            tracker.sealed(sealed, at);
            return true;
        } else if (event.data() instanceof RotationNotified notified) {
            tracker.delivered(event.rotationId(), notified.sentAt() != null ? notified.sentAt() : at);
            return true;
        } else if (event.type().isAdoption()) {
            if (leading) {
                return false; // while leading: its own publish, already taken into account, or not the watcher's
            }
            if (!AdoptionEvents.fromWatcher(event)) {
                LOG.warn("adoption watcher ignores {}-{}@{}: event {} of {} is not in the shape the watcher publishes",
                        record.topic(), record.partition(), record.offset(), RequestRules.printable(event.id()),
                        RequestRules.printable(event.source().toString()));
            } else if (event.data() instanceof RotationAdopted adopted) {
                tracker.accept(adopted);
            } else if (event.data() instanceof RotationAdoptionComplete complete) {
                tracker.accept(complete);
            } else if (event.data() instanceof RotationReminded reminder) {
                tracker.accept(reminder);
            }
        } else if (event.data() instanceof RotationPackaged packaged) {
            tracker.linked(event.rotationId(), packaged.expiresAt());
        }
        return false;
    }

    /** Asks for one evaluation on the evaluator thread; many requests before it runs make one evaluation. */
    private void queueEvaluation() {
        if (running && evaluationQueued.compareAndSet(false, true)) {
            evaluator.execute(() -> {
                evaluationQueued.set(false);
                evaluate();
            });
        }
    }

    private void evaluate() {
        if (loaded.getCount() > 0 || !running) {
            return;
        }
        if (!leading || !leadership.isLeader()) {
            closeInformers();
            return;
        }
        try {
            watchNamespaces();
            Instant now = clock.instant();
            for (String rotationId : tracker.openRotations()) {
                for (RotationAdopted change : tracker.deliveredChanges(rotationId)) {
                    publish(change);
                }
            }
            for (AdoptionTarget target : tracker.openTargets()) {
                NamespaceInformers objects = informers.get(target.ref());
                if (objects == null || !objects.synced()) {
                    continue;
                }
                var observation = probe.observe(target, objects, tracker.since(target, AdoptionState.UNSEALED), now);
                for (RotationAdopted change : tracker.changes(target, observation)) {
                    publish(change);
                }
            }
            for (RotationReminded reminder : tracker.reminders(now, config.remindBefore())) {
                publish(reminder);
            }
            for (String rotationId : tracker.openRotations()) {
                var completion = tracker.completion(rotationId, now);
                if (completion.isPresent()) {
                    publish(completion.get());
                }
            }
        } catch (PublishException e) {
            LOG.warn("adoption: cannot publish, will try again: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("adoption: evaluation failed, will try again: {}", e.toString());
        }
    }

    /** Opens informers on every namespace with an open target, closes those no rotation needs any more. */
    private void watchNamespaces() {
        Set<NamespaceRef> wanted = tracker.watchedNamespaces();
        informers.entrySet().removeIf(e -> {
            if (wanted.contains(e.getKey())) return false;
            e.getValue().close();
            return true;
        });
        for (NamespaceRef ref : wanted) {
            if (!informers.containsKey(ref)) {
                KubernetesClient client;
                try {
                    client = clusters.apply(ref.cluster());
                } catch (RuntimeException e) {
                    LOG.warn("adoption: cannot watch {} in cluster {}: {}", ref.namespace(), ref.cluster(), e.getMessage());
                    continue;
                }
                informers.put(ref, new NamespaceInformers(client, ref.namespace(), config.resync(), this::queueEvaluation));
                LOG.info("adoption: watching namespace {} in cluster {}", ref.namespace(), ref.cluster());
            }
        }
    }

    private void publish(RotationAdopted change) {
        send(new RotationEvent<>(change.eventId(), URI.create(SOURCE), EventType.ADOPTED, change.workflow(),
                now(), change.rotationId(), change));
        tracker.accept(change);
        LOG.info("adoption: rotation {} in {}/{} is {}", change.rotationId(), change.cluster(), change.namespace(),
                change.state().wireName());
        metrics.published(change, tracker.deliveredAt(change.rotationId()));
        tracker.target(change).ifPresent(target -> listener.changed(change, target));
    }

    private void publish(RotationReminded reminder) {
        send(new RotationEvent<>(reminder.eventId(), URI.create(SOURCE), EventType.REMINDED, reminder.workflow(), now(),
                reminder.rotationId(), reminder));
        tracker.accept(reminder);
        tracker.target(reminder).ifPresent(target -> listener.reminded(reminder, target));
    }

    private void publish(RotationAdoptionComplete complete) {
        send(RotationEvent.forRotation(complete.rotationId(), EventType.ADOPTION_COMPLETE, SOURCE, complete.workflow(),
                now(), complete));
        tracker.accept(complete);
        LOG.info("adoption: rotation {} complete ({}), {} namespace(s) behind", complete.rotationId(),
                complete.outcome().wireName(), complete.laggards().size());
        metrics.published(complete);
        listener.completed(complete);
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private void send(RotationEvent<?> event) {
        if (!leadership.isLeader()) {
            throw new PublishException(event.id() + ": no longer the leader");
        }
        try {
            producer.send(codec.toRecord(topics.of(event.type()), event)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted");
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new PublishException(event.id() + ": " + (e.getCause() != null ? e.getCause() : e));
        }
    }

    /** Whether the topics were read up to where they ended at start-up (so the clusters are being watched). */
    public boolean loaded() {
        return loaded.getCount() == 0;
    }

    /** Whether this replica watches the clusters and publishes: it leads and has caught up (see the class comment). */
    public boolean leading() {
        return leading;
    }

    /** Whether the service still works: its reader runs. */
    public boolean isRunning() {
        return running && reader != null && reader.isAlive();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        evaluator.shutdown();
        try {
            evaluator.awaitTermination(10, TimeUnit.SECONDS);
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeInformers();
        leadership.close();
        producer.close(Duration.ofSeconds(5));
    }

    private void closeInformers() {
        informers.values().forEach(NamespaceInformers::close);
        informers.clear();
    }

    private static final class PublishException extends RuntimeException {
        PublishException(String message) {
            super(message, null, false, false);
        }
    }
}

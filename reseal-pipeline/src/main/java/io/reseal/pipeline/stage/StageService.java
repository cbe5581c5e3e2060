package io.reseal.pipeline.stage;

import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one stage as a service: makes sure the topics exist, loads the stage's {@link RotationLedger}
 * from its output topic, and runs a {@link StageWorker} on a thread of its own. The consumer group is
 * {@code reseal-<stage>}, so replicas share the work. {@link #close()} stops the worker after the record
 * in hand. A fatal error in the worker is logged and reported by {@link #failure()}. {@link #isRunning()} is the
 * stage's liveness: its loop polled Kafka within {@link #LIVENESS_WINDOW}.
 */
public final class StageService implements AutoCloseable {

    /**
     * How recently the loop must have polled to count as live. A loop polls at least every 200 ms while idle and
     * between batches, so only a handler call or a commit hanging far beyond its own timeouts exceeds this.
     */
    public static final Duration LIVENESS_WINDOW = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(StageService.class);

    private final StageWorker worker;
    private final Thread thread;
    private volatile Throwable failure;

    private StageService(StageWorker worker, String name) {
        this.worker = worker;
        this.thread = new Thread(() -> {
            try {
                worker.run();
            } catch (Throwable t) {
                failure = t;
                LOG.error("stage {} stopped: {}", name, t.toString());
            }
        }, "reseal-" + name);
    }

    /**
     * @param produces the event type whose topic holds this stage's finished rotations
     */
    public static StageService start(KafkaConfig kafka, StageHandler handler, EventType produces, Clock clock,
                                     StageListener listener) {
        return start(kafka, handler, produces, clock, listener, event -> { });
    }

    /**
     * The same, and every event already on the output topic is handed to {@code history} before the worker
     * starts (see {@link RotationLedger#load(KafkaClients, String, java.util.function.Consumer)}), and so is every
     * event other replicas commit there, when the ledger catches up on a rebalance.
     */
    public static StageService start(KafkaConfig kafka, StageHandler handler, EventType produces, Clock clock,
                                     StageListener listener, java.util.function.Consumer<RotationEvent<?>> history) {
        Topics topics = kafka.topicNames();
        KafkaClients clients = new KafkaClients(kafka);
        TopicBootstrap.ensure(clients, topics, kafka.partitions(), kafka.replicationFactor());
        RotationLedger ledger = RotationLedger.load(clients, topics.of(produces), history, handler::doneKey);
        String group = "reseal-" + handler.stage();
        Batching batching = kafka.batching().withConcurrency(kafka.concurrencyOf(handler.stage()));
        if (handler.commitsEachRecord()) batching = batching.inHand();
        StageWorker worker = new StageWorker(
                StageClients.consumer(clients, group, batching.maxRecords()),
                StageClients.producer(clients, group), handler, topics, kafka.backoff(),
                batching, clock, listener, ledger);
        StageService service = new StageService(worker, handler.stage());
        service.thread.start();
        LOG.info("stage {} started ({} finished rotations known)", handler.stage(), ledger.size());
        return service;
    }

    /** The error that ended the worker, or {@code null} while it runs or after a clean stop. */
    public Throwable failure() {
        return failure;
    }

    /** Whether the stage is live: its thread runs and its loop polled within {@link #LIVENESS_WINDOW}. */
    public boolean isRunning() {
        return thread.isAlive() && worker.polledWithin(LIVENESS_WINDOW);
    }

    @Override
    public void close() {
        worker.stop(Duration.ofSeconds(30));
        try {
            thread.join(Duration.ofSeconds(35).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

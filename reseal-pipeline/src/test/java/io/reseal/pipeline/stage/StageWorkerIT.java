package io.reseal.pipeline.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.embedded.EmbeddedKafka;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stage loop against a real broker: poison records, retries, and a worker dying mid-record. */
class StageWorkerIT {

    private static EmbeddedKafka kafka;
    private static KafkaProducer<String, byte[]> producer;
    private final EventCodec codec = new EventCodec();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private Topics topics;
    private String group;

    @BeforeAll
    static void startKafka() {
        kafka = new EmbeddedKafka();
        kafka.start();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopKafka() {
        producer.close();
        kafka.close();
    }

    @BeforeEach
    void freshTopics() {
        // Every test gets its own topics and group, so tests cannot see each other's records.
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<EventType, String> names = new java.util.EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) if (type.carrier() == type) names.put(type, type.defaultTopic() + "." + suffix);
        topics = Topics.withOverrides(names);
        group = "test-" + suffix;
        TopicBootstrap.ensure(clients(kafka.bootstrapServers()), topics, 1, (short) 1);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void aPoisonRecordGoesToTheFailedTopicAndTheNextRecordIsStillProcessed() throws Exception {
        // given
        CountingHandler handler = new CountingHandler();
        send(request("rot-a"));
        producer.send(new ProducerRecord<>(topics.of(EventType.REQUESTED), "x", "{not json".getBytes(StandardCharsets.UTF_8))).get();
        send(request("rot-b"));
        // when
        StageWorker worker = start(handler, Backoff.DEFAULT);
        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.NOTIFIED).size() == 2);
        List<ConsumerRecord<String, byte[]>> failed = read(EventType.FAILED);
        assertThat(failed).hasSize(1);
        RotationFailed reason = codec.fromRecord(failed.get(0)).dataAs(RotationFailed.class);
        assertThat(reason.stage()).isEqualTo("test-stage");
        assertThat(reason.errorCode()).isEqualTo("invalid-json");
        assertThat(reason.originTopic()).isEqualTo(topics.of(EventType.REQUESTED));
        assertThat(reason.originOffset()).isEqualTo(1L);
        assertThat(EventCodec.header(failed.get(0), StageWorker.HEADER_ORIGIN_OFFSET)).isEqualTo("1");
        assertThat(EventCodec.header(failed.get(0), StageWorker.HEADER_ERROR_CLASS)).endsWith("InvalidEventException");
        assertThat(notifiedRotations()).containsExactly("rot-a", "rot-b");
        worker.close();
    }

    @Test
    void aRetriableFailureIsRetriedInOrderWithNothingLostOrDoubled() throws Exception {
        // given: the first three attempts at rot-1 fail as if a server were down
        AtomicInteger failuresLeft = new AtomicInteger(3);
        CountingHandler handler = new CountingHandler() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                if (event.rotationId().equals("rot-1") && failuresLeft.getAndDecrement() > 0) {
                    throw new RetriableStageException("server-down", "S3 unreachable", null);
                }
                return super.handle(event);
            }
        };
        for (String id : List.of("rot-1", "rot-2", "rot-3")) send(request(id));
        // when
        StageWorker worker = start(handler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMinutes(1)));
        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.NOTIFIED).size() == 3);
        assertThat(notifiedRotations()).containsExactly("rot-1", "rot-2", "rot-3");
        assertThat(failuresLeft.get()).as("three failed attempts, then one that worked").isEqualTo(-1);
        assertThat(handler.calls.get("rot-1")).isEqualTo(1);
        assertThat(handler.calls.get("rot-2")).isEqualTo(1);
        assertThat(read(EventType.FAILED)).isEmpty();
        worker.close();
    }

    @Test
    void aRetriableFailurePastTheDeadlineEndsOnTheFailedTopic() throws Exception {
        // given
        CountingHandler handler = new CountingHandler() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                throw new RetriableStageException("smtp-unavailable", "SMTP server unreachable", null);
            }
        };
        send(request("rot-x"));
        // when
        StageWorker worker = start(handler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(300)));
        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.FAILED).size() == 1);
        RotationFailed reason = codec.fromRecord(read(EventType.FAILED).get(0)).dataAs(RotationFailed.class);
        assertThat(reason.errorCode()).isEqualTo("smtp-unavailable");
        assertThat(reason.rotationId()).isEqualTo("rot-x");
        assertThat(reason.message()).contains("SMTP server unreachable", "gave up");
        worker.close();
    }

    @Test
    void retriableFailuresOnSeveralPartitionsEachReachTheirDeadline() throws Exception {
        // given: three partitions whose records all fail for a passing reason, forever
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<EventType, String> names = new java.util.EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) if (type.carrier() == type) names.put(type, type.defaultTopic() + ".three." + suffix);
        topics = Topics.withOverrides(names);
        TopicBootstrap.ensure(clients(kafka.bootstrapServers()), topics, 3, (short) 1);
        CountingHandler handler = new CountingHandler() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                calls.merge(event.rotationId(), 1, Integer::sum);
                throw new RetriableStageException("smtp-unavailable", "SMTP server unreachable", null);
            }
        };
        for (int n = 0; n < 4; n++) {
            for (int partition = 0; partition < 3; partition++) {
                producer.send(new ProducerRecord<>(topics.of(EventType.REQUESTED), partition, "financial-ml",
                        codec.toRecord(topics.of(EventType.REQUESTED), request("rot-p" + partition + "-" + n)).value())).get();
            }
        }
        // when
        StageWorker worker = start(handler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(500)));
        // then: the retries of one partition do not restart the clock of another
        await().atMost(Duration.ofSeconds(20)).until(() -> read(EventType.FAILED).size() == 12);
        for (ConsumerRecord<String, byte[]> failed : read(EventType.FAILED)) {
            assertThat(codec.fromRecord(failed).dataAs(RotationFailed.class).message()).contains("gave up");
        }
        worker.close();
    }

    @Test
    void aWorkerThatDiesMidRecordRedoesItExactlyOnceAfterARestart() throws Exception {
        // given: the first worker dies (an Error escapes, nothing is committed) while it handles rot-2
        CountingHandler dying = new CountingHandler() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                if (event.rotationId().equals("rot-2")) throw new SimulatedCrash();
                return super.handle(event);
            }
        };
        for (String id : List.of("rot-1", "rot-2", "rot-3")) send(request(id));
        StageWorker first = worker(dying, Backoff.DEFAULT);
        Future<?> died = threads.submit(first);
        await().atMost(Duration.ofSeconds(30)).until(died::isDone);
        assertThat(notifiedRotations()).containsExactly("rot-1");
        // when: a new worker of the same group takes over
        CountingHandler healthy = new CountingHandler();
        StageWorker second = start(healthy, Backoff.DEFAULT);
        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.NOTIFIED).size() >= 3);
        assertThat(notifiedRotations()).containsExactly("rot-1", "rot-2", "rot-3");
        assertThat(healthy.calls).doesNotContainKey("rot-1");
        second.close();
    }

    @Test
    void aStoppedWorkerFinishesTheRecordInHandAndItIsNotRedoneAfterARestart() throws Exception {
        // given: the handler is inside rot-1 when the stop arrives
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountingHandler slow = new CountingHandler() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                if (event.rotationId().equals("rot-1")) {
                    inside.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.handle(event);
            }
        };
        send(request("rot-1"));
        StageWorker first = start(slow, Backoff.DEFAULT);
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        // when
        Future<Boolean> stopping = threads.submit(() -> first.stop(Duration.ofSeconds(20)));
        release.countDown();
        assertThat(stopping.get(30, TimeUnit.SECONDS)).isTrue();
        send(request("rot-2"));
        CountingHandler next = new CountingHandler();
        StageWorker second = start(next, Backoff.DEFAULT);
        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.NOTIFIED).size() >= 2);
        assertThat(notifiedRotations()).containsExactly("rot-1", "rot-2");
        assertThat(next.calls).containsOnlyKeys("rot-2");
        second.close();
    }

    @Test
    void aDuplicateRequestForAFinishedRotationHasNoVisibleEffect() throws Exception {
        // given: the same logical event twice (e.g. two scheduler replicas)
        CountingHandler handler = new CountingHandler();
        send(request("rot-dup"));
        send(request("rot-dup"));
        send(request("rot-after"));
        // when
        StageWorker worker = start(handler, Backoff.DEFAULT);
        // then
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.NOTIFIED).size() >= 2);
        assertThat(notifiedRotations()).containsExactly("rot-dup", "rot-after");
        assertThat(handler.calls.get("rot-dup")).isEqualTo(1);
        worker.close();
        // and after a restart, with the ledger rebuilt from the output topic
        send(request("rot-dup"));
        send(request("rot-last"));
        StageWorker restarted = new StageWorker(clients(kafka.bootstrapServers()), group, new CountingHandler(), topics, Backoff.DEFAULT,
                Clock.systemUTC(), StageListener.NONE, RotationLedger.load(clients(kafka.bootstrapServers()), topics.of(EventType.NOTIFIED)));
        threads.submit(restarted);
        await().atMost(Duration.ofSeconds(30)).until(() -> read(EventType.NOTIFIED).size() >= 3);
        assertThat(notifiedRotations()).containsExactly("rot-dup", "rot-after", "rot-last");
        restarted.close();
    }

    @Test
    void anOutputOverTheRecordLimitEndsAsAFailedRecordAndThePartitionServesTheNext() throws Exception {
        // given: the handler turns rot-huge into an event of ~2.7 MB (random, so compression cannot save it)
        byte[] noise = new byte[2 * 1024 * 1024];
        new java.util.Random(7).nextBytes(noise);
        String huge = java.util.Base64.getEncoder().encodeToString(noise);
        CountingHandler handler = new CountingHandler() {
            @Override
            public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
                if (!event.rotationId().equals("rot-huge")) return super.handle(event);
                return List.of(RotationEvent.forRotation(event.rotationId(), EventType.NOTIFIED, "/test",
                        event.subject(), event.time(), new RotationNotified(event.rotationId(), event.subject(),
                                List.of("a@example.com"), huge, event.time().toInstant())));
            }
        };
        for (String id : List.of("rot-before", "rot-huge", "rot-next")) send(request(id));
        // when
        StageWorker worker = start(handler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofSeconds(30)));
        // then
        await().atMost(Duration.ofSeconds(60)).until(() -> read(EventType.NOTIFIED).size() == 2);
        assertThat(notifiedRotations()).containsExactly("rot-before", "rot-next");
        List<ConsumerRecord<String, byte[]>> failed = read(EventType.FAILED);
        assertThat(failed).hasSize(1);
        RotationFailed reason = codec.fromRecord(failed.get(0)).dataAs(RotationFailed.class);
        assertThat(reason.rotationId()).isEqualTo("rot-huge");
        assertThat(reason.errorCode()).isEqualTo("output-too-large");
        assertThat(failed.get(0).serializedValueSize()).as("a small record").isLessThan(4096);
        worker.close();
    }

    // --- helpers

    private StageWorker worker(StageHandler handler, Backoff backoff) {
        return new StageWorker(clients(kafka.bootstrapServers()), group, handler, topics, backoff, Clock.systemUTC(),
                StageListener.NONE, new RotationLedger());
    }

    private StageWorker start(StageHandler handler, Backoff backoff) {
        StageWorker worker = worker(handler, backoff);
        threads.submit(worker);
        return worker;
    }

    private RotationEvent<RotationRequested> request(String rotationId) {
        return RotationEvent.forRotation(rotationId, EventType.REQUESTED, "/test", "financial-ml",
                OffsetDateTime.now(ZoneOffset.UTC), new RotationRequested("financial-ml", List.of("dev"), List.of(),
                        "financial-team@example.com", null, Trigger.AD_HOC, null));
    }

    private void send(RotationEvent<?> event) throws Exception {
        producer.send(codec.toRecord(topics.of(event.type()), event)).get();
    }

    private List<ConsumerRecord<String, byte[]>> read(EventType type) {
        return new TopicScanner(clients(kafka.bootstrapServers())).readAll(topics.of(type), Duration.ofSeconds(20));
    }

    private List<String> notifiedRotations() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : read(EventType.NOTIFIED)) {
            ids.add(codec.fromRecord(record).rotationId());
        }
        return ids;
    }

    /** Turns each request into a "notified" event and counts calls per rotation. */
    static class CountingHandler implements StageHandler {
        final Map<String, Integer> calls = new ConcurrentHashMap<>();

        @Override
        public String stage() {
            return "test-stage";
        }

        @Override
        public EventType consumes() {
            return EventType.REQUESTED;
        }

        @Override
        public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException {
            calls.merge(event.rotationId(), 1, Integer::sum);
            return List.of(RotationEvent.forRotation(event.rotationId(), EventType.NOTIFIED, "/test", event.subject(),
                    event.time(), new RotationNotified(event.rotationId(), event.subject(), List.of("a@example.com"),
                            "<m@test>", event.time().toInstant())));
        }
    }

    /** Stands for the process dying: an Error, not an exception the loop handles. */
    static final class SimulatedCrash extends Error {}

    private static KafkaClients clients(String bootstrapServers) {
        return new KafkaClients(KafkaConfig.defaults().withBootstrapServers(bootstrapServers));
    }
}

package io.reseal.producer.status;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RequestIdempotency;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.publish.RequestPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which requests each {@code Idempotency-Key} stood for in the last {@link #WINDOW}, as the requested topic tells
 * it to every producer replica (the {@link RotationStatusView} hands it every requested event, read back or just
 * published). Rotation and batch ids are derived from the key and the request's content ({@link #rotationId},
 * {@link #batchId}), so every replica names a request the same, and an event is taken in only when its ids are
 * the ones its {@code idempotency} derives (an event claiming a key with another rotation id counts for nothing).
 *
 * <p>Bounded: a key is forgotten {@link #WINDOW} after it was first seen, and beyond {@value #MAX_KEYS} keys
 * the oldest go first (with a warning). A forgotten key with the same body still names the same rotation (the
 * ids are derived), which the stages then dedupe; with another body it starts a new rotation. Thread-safe.
 */
public final class IdempotencyIndex {

    /** How long a key is remembered after its first request. */
    public static final Duration WINDOW = Duration.ofHours(24);
    static final int MAX_KEYS = 100_000;
    private static final Logger LOG = LoggerFactory.getLogger(IdempotencyIndex.class);

    private final Clock clock;
    /** By key hash, in the order first seen: the requests made with it, by request hash. */
    private final LinkedHashMap<String, Key> keys = new LinkedHashMap<>();

    public IdempotencyIndex(Clock clock) {
        this.clock = clock;
    }

    /** What one request with a key was made into: its rotation per workflow, and the batch id of a platform-wide one. */
    public record Accepted(String batchId, Map<String, String> rotationByWorkflow) {

        public Accepted {
            rotationByWorkflow = Map.copyOf(rotationByWorkflow);
        }
    }

    private record Key(Instant firstSeen, Map<String, Accepted> byRequest) {}

    /** The rotation id the API gives the request of {@code workflow} bound by {@code idempotency}. */
    public static String rotationId(RequestIdempotency idempotency, String workflow) {
        return derived("rotation", idempotency, workflow);
    }

    /** The batch id the API gives the platform-wide request bound by {@code idempotency}. */
    public static String batchId(RequestIdempotency idempotency) {
        return derived("batch", idempotency, "");
    }

    private static String derived(String kind, RequestIdempotency idempotency, String workflow) {
        String name = "reseal-api-" + kind + "\n" + idempotency.keySha256() + "\n" + idempotency.requestSha256()
                + "\n" + workflow;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Takes in a requested event of the API that carries {@code idempotency}, published at {@code at}; ignores any other. */
    void learn(RotationEvent<?> event, Instant at) {
        if (event.type() != EventType.REQUESTED || !(event.data() instanceof RotationRequested request)
                || request.idempotency() == null || request.trigger() != Trigger.AD_HOC
                || !RequestPublisher.SOURCE.equals(event.source().toString())) {
            return;
        }
        RequestIdempotency idempotency = request.idempotency();
        boolean consistent = rotationId(idempotency, request.workflow()).equals(event.rotationId())
                && (request.batchId() == null || batchId(idempotency).equals(request.batchId()));
        if (!consistent || at.isBefore(clock.instant().minus(WINDOW))) {
            return;
        }
        synchronized (this) {
            Key key = keys.computeIfAbsent(idempotency.keySha256(), k -> new Key(at, new LinkedHashMap<>()));
            key.byRequest().merge(idempotency.requestSha256(),
                    new Accepted(request.batchId(), Map.of(request.workflow(), event.rotationId())),
                    (known, more) -> {
                        Map<String, String> all = new TreeMap<>(known.rotationByWorkflow());
                        all.putAll(more.rotationByWorkflow());
                        return new Accepted(known.batchId(), all);
                    });
            evict();
        }
    }

    /** The requests made with the key of hash {@code keySha256} within the window, by request hash (none: a new key). */
    public synchronized Map<String, Accepted> requests(String keySha256) {
        evict();
        Key key = keys.get(keySha256);
        return key == null ? Map.of() : Map.copyOf(key.byRequest());
    }

    /** How many keys are remembered. */
    public synchronized int size() {
        return keys.size();
    }

    private void evict() {
        Instant oldest = clock.instant().minus(WINDOW);
        Iterator<Key> first = keys.values().iterator();
        boolean warned = false;
        while (first.hasNext()) {
            Key key = first.next();
            boolean full = keys.size() > MAX_KEYS;
            if (!full && !key.firstSeen().isBefore(oldest)) {
                break;
            }
            if (full && !warned) {
                LOG.warn("more than {} Idempotency-Keys in {}: forgetting the oldest early", MAX_KEYS, WINDOW);
                warned = true;
            }
            first.remove();
        }
    }
}

package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.AdoptionEvents;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What the adoption watcher reported on the adopted topic (which only its principal may write): for each rotation,
 * cluster and namespace, the states reached. The sealer's own view of adoption, brought up to date when
 * {@link AutoFinish} looks ({@link #fromKafka} keeps one consumer open and folds in only the reports committed
 * since the previous look); a report not in the shape the watcher publishes ({@link AdoptionEvents#fromWatcher}: its
 * source, its ids, the same rotation in attributes and data) is not taken. A careful forgery in that shape is kept
 * out by the topic's ACL alone.
 * Thread-safe.
 */
public final class AdoptionReports implements AutoCloseable {

    private final Supplier<Snapshot> reader;
    private final AutoCloseable resources;

    /** Reports that {@code reader} tells; nothing to close. */
    public AdoptionReports(Supplier<Snapshot> reader) {
        this(reader, () -> {});
    }

    private AdoptionReports(Supplier<Snapshot> reader, AutoCloseable resources) {
        this.reader = reader;
        this.resources = resources;
    }

    /**
     * Follows the committed records of the adopted topic; the consumer is opened at the first read and closed by
     * {@link #close}.
     */
    public static AdoptionReports fromKafka(KafkaClients clients, Topics topics) {
        CommittedEvents events = new CommittedEvents(clients, topics, EventType.ADOPTED);
        Map<Ref, Set<AdoptionState>> reached = new HashMap<>();
        return new AdoptionReports(() -> {
            synchronized (reached) {
                events.catchUp((topic, event, at) -> {
                    if (AdoptionEvents.fromWatcher(event) && event.data() instanceof RotationAdopted adopted) {
                        reached.computeIfAbsent(new Ref(adopted.rotationId(), adopted.cluster(), adopted.namespace()),
                                k -> EnumSet.noneOf(AdoptionState.class)).add(adopted.state());
                    }
                });
                return new Snapshot(reached);
            }
        }, () -> {
            synchronized (reached) {
                events.close();
            }
        });
    }

    public Snapshot read() {
        return reader.get();
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the adoption reports: " + e, e);
        }
    }

    /** A namespace of a cluster, in one rotation. */
    public record Ref(String rotationId, String cluster, String namespace) {}

    /** The reports at one moment: the states each namespace of each rotation reached. */
    public record Snapshot(Map<Ref, Set<AdoptionState>> reached) {

        public Snapshot {
            reached = reached.entrySet().stream().collect(Collectors.toUnmodifiableMap(
                    Map.Entry::getKey, e -> Set.copyOf(e.getValue())));
        }

        /** Whether the namespace reached {@code state} or a state beyond it. */
        public boolean reached(Ref ref, AdoptionState state) {
            return reached.getOrDefault(ref, Set.of()).stream().anyMatch(s -> s.reached(state));
        }

        /**
         * Where the namespace stands: its furthest forward state, or {@code decryption-failed} when that was
         * reported and it did not get to {@code unsealed} since; null when nothing was reported.
         */
        public AdoptionState current(Ref ref) {
            Set<AdoptionState> states = reached.getOrDefault(ref, Set.of());
            AdoptionState forward = states.stream().filter(s -> s != AdoptionState.DECRYPTION_FAILED)
                    .max(Enum::compareTo).orElse(null);
            if (states.contains(AdoptionState.DECRYPTION_FAILED) && (forward == null || !forward.reached(AdoptionState.UNSEALED))) {
                return AdoptionState.DECRYPTION_FAILED;
            }
            return forward;
        }
    }
}

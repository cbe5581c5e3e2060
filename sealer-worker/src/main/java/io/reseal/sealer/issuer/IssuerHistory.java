package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What Kafka says about issued credentials: the sealed rotations that carry {@link IssuedVersions}, in the order
 * they were sealed, the rotations finished since, and those whose finish on adoption was held back. This is the
 * whole of an issuer's state (the credentials themselves are never stored). {@link #fromKafka} keeps one consumer
 * open on the sealed and finished topics and, at each {@link #read}, folds in only what was committed since the
 * previous one, up to the end offsets as they are at that read: a decision still sees everything committed before
 * it, and every sealer replica sees the same. Thread-safe.
 */
public final class IssuerHistory implements AutoCloseable {

    private final Supplier<Snapshot> reader;
    private final AutoCloseable resources;

    /** A history that {@code reader} tells; nothing to close. */
    public IssuerHistory(Supplier<Snapshot> reader) {
        this(reader, () -> {});
    }

    private IssuerHistory(Supplier<Snapshot> reader, AutoCloseable resources) {
        this.reader = reader;
        this.resources = resources;
    }

    /**
     * Follows the committed records of the sealed and finished topics; the consumer is opened at the first read
     * (a sealer whose rotations use no issuer never opens it) and closed by {@link #close}.
     */
    public static IssuerHistory fromKafka(KafkaClients clients, Topics topics) {
        CommittedEvents events = new CommittedEvents(clients, topics, EventType.SEALED, EventType.FINISHED);
        Folded folded = new Folded(events);
        return new IssuerHistory(folded::read, folded::close);
    }

    public Snapshot read() {
        return reader.get();
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the issuer history: " + e, e);
        }
    }

    /** The state folded from the events read so far. */
    private static final class Folded {
        private final CommittedEvents events;
        /** In the order sealed (by Kafka's timestamp; in the order read where equal). */
        private final List<Sealed> sealed = new ArrayList<>();
        private final Set<String> finished = new HashSet<>();
        private final Set<String> deferred = new HashSet<>();

        Folded(CommittedEvents events) {
            this.events = events;
        }

        synchronized Snapshot read() {
            events.catchUp(this::fold);
            return new Snapshot(sealed, finished, deferred);
        }

        /** Waits for a read under way. */
        synchronized void close() {
            events.close();
        }

        private void fold(EventType topic, RotationEvent<?> event, Instant at) {
            if (topic == EventType.SEALED) {
                if (event.data() instanceof RotationSealed s && !s.issuers().isEmpty()) {
                    int i = sealed.size();
                    while (i > 0 && sealed.get(i - 1).at().isAfter(at)) i--;
                    sealed.add(i, new Sealed(s, at));
                }
            } else {
                if (event.data() instanceof RotationFinished) finished.add(event.rotationId());
                if (event.data() instanceof RotationFinishDeferred) deferred.add(event.rotationId());
            }
        }
    }

    /** A sealed rotation with issued credentials, and when it was sealed. */
    public record Sealed(RotationSealed rotation, Instant at) {}

    /**
     * The history at one moment.
     *
     * @param deferred the rotations whose finish on adoption was held back (their previous credential in use)
     */
    public record Snapshot(List<Sealed> sealed, Set<String> finished, Set<String> deferred) {

        public Snapshot {
            sealed = List.copyOf(sealed);
            finished = Set.copyOf(finished);
            deferred = Set.copyOf(deferred);
        }

        /** A history in which no finish was held back. */
        public Snapshot(List<Sealed> sealed, Set<String> finished) {
            this(sealed, finished, Set.of());
        }

        /** The last sealed rotation that used {@code issuer}, and its versions. */
        public Optional<Last> lastOf(String issuer) {
            for (int i = sealed.size() - 1; i >= 0; i--) {
                RotationSealed rotation = sealed.get(i).rotation();
                for (IssuedVersions versions : rotation.issuers()) {
                    if (versions.issuer().equals(issuer)) {
                        return Optional.of(new Last(rotation.rotationId(), versions, finished.contains(rotation.rotationId())));
                    }
                }
            }
            return Optional.empty();
        }

        public Optional<Sealed> sealed(String rotationId) {
            return sealed.stream().filter(s -> s.rotation().rotationId().equals(rotationId)).findFirst();
        }
    }

    /** The last rotation of an issuer: its versions, and whether its previous credential is revoked. */
    public record Last(String rotationId, IssuedVersions versions, boolean finished) {

        /** Whether a credential other than the delivered one is still valid, waiting for finish. */
        public boolean waitingForFinish() {
            return !finished && versions.current() != null && !versions.current().equals(versions.pending());
        }
    }
}

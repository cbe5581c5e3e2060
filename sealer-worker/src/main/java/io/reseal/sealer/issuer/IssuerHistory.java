package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What Kafka says about issued credentials: the sealed rotations that carry {@link IssuedVersions}, in the order
 * they were sealed, the rotations finished since, and those whose finish on adoption was held back. This is the whole of an issuer's state (the credentials
 * themselves are never stored), read afresh for every rotation that uses an issuer, so every sealer replica
 * sees the same. Thread-safe.
 */
public final class IssuerHistory {

    private final Supplier<Snapshot> reader;

    public IssuerHistory(Supplier<Snapshot> reader) {
        this.reader = reader;
    }

    /** Reads the committed records of the sealed and finished topics. */
    public static IssuerHistory fromKafka(KafkaClients clients, Topics topics) {
        CommittedEvents events = new CommittedEvents(clients, topics);
        return new IssuerHistory(() -> {
            List<Sealed> sealed = new ArrayList<>();
            Set<String> finished = new HashSet<>();
            Set<String> deferred = new HashSet<>();
            events.forEach(EventType.SEALED, (event, at) -> {
                if (event.data() instanceof RotationSealed s && !s.issuers().isEmpty()) sealed.add(new Sealed(s, at));
            });
            events.forEach(EventType.FINISHED, (event, at) -> {
                if (event.data() instanceof RotationFinished) finished.add(event.rotationId());
                if (event.data() instanceof RotationFinishDeferred) deferred.add(event.rotationId());
            });
            sealed.sort(Comparator.comparing(Sealed::at));
            return new Snapshot(sealed, finished, deferred);
        });
    }

    public Snapshot read() {
        return reader.get();
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

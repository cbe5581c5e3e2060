package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.values.ValueSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The create and test steps of a rotation's issuers, run by the sealer before it seals anything. A second
 * rotation of an issuer whose last rotation still waits for finish is refused ({@code rotation-unfinished}); a
 * pending credential that fails its test is discarded and nothing is sealed. Called from one thread at a time.
 *
 * <p>The history is what Kafka has committed. The stage loop commits a whole batch of records at once, so a
 * rotation this sealer made a pending credential for may not be committed yet when the next record comes: for
 * {@link #IN_FLIGHT} after a create, another rotation of the same issuer is a {@link RetriableStageException}
 * ({@code issuer-busy}), tried again once the batch is committed and the history tells whether the first one was
 * sealed (then the second is refused as unfinished) or failed (then it goes ahead on the same slot).
 */
public final class IssuerSteps {

    private static final Logger LOG = LoggerFactory.getLogger(IssuerSteps.class);

    /** How long a create of this sealer counts as in flight when the history does not show it yet. */
    static final Duration IN_FLIGHT = Duration.ofMinutes(1);

    private final Map<String, Issuer> issuers;
    private final IssuerHistory history;
    private final Clock clock;
    /** By issuer: the rotation this sealer last made a pending credential for, and when. */
    private final Map<String, InFlight> inFlight = new HashMap<>();

    public IssuerSteps(Map<String, Issuer> issuers, IssuerHistory history, Clock clock) {
        this.issuers = Map.copyOf(issuers);
        this.history = history;
        this.clock = clock;
    }

    /** No issuers: bundles take no issued values. */
    public static IssuerSteps none() {
        return new IssuerSteps(Map.of(), new IssuerHistory(() -> new IssuerHistory.Snapshot(List.of(), Set.of())),
                Clock.systemUTC());
    }

    /**
     * Creates and tests a pending credential at every issuer the bundles take values from. The returned
     * credentials are the caller's to destroy ({@link Issued#close()}); on an exception, the ones made so far are
     * discarded at their issuer and destroyed here.
     */
    public Issued createAndTest(String rotationId, Collection<BundleConfig> bundles)
            throws RetriableStageException, PermanentStageException {
        Set<String> used = new LinkedHashSet<>();
        for (BundleConfig bundle : bundles) {
            for (ValueSource source : bundle.keys().values()) {
                if (source instanceof ValueSource.Issued issued) used.add(issued.issued().issuer());
            }
        }
        if (used.isEmpty()) return new Issued(Map.of(), List.of());
        IssuerHistory.Snapshot snapshot = history.read();
        Map<String, String> currentOf = new LinkedHashMap<>();
        for (String name : used) {
            refuseWhileInFlight(name, rotationId, snapshot);
            IssuerHistory.Last last = snapshot.lastOf(name).orElse(null);
            if (last != null && last.waitingForFinish()) {
                throw new PermanentStageException(ErrorCode.ROTATION_UNFINISHED, "issuer " + name + ": rotation "
                        + last.rotationId() + " is not finished (its previous credential " + last.versions().current()
                        + " is still valid); finish it first (./reseal finish " + last.rotationId() + ")");
            }
            currentOf.put(name, last == null ? null : last.versions().pending());
        }
        Map<String, Issuer.Pending> made = new LinkedHashMap<>();
        boolean done = false;
        try {
            for (String name : used) {
                Issuer issuer = issuers.get(name);
                Issuer.Pending pending = issuer.create(rotationId, currentOf.get(name));
                made.put(name, pending);
                inFlight.put(name, new InFlight(rotationId, clock.instant()));
                issuer.test(pending);
                LOG.info("rotation {}: issuer {} made and tested {} (current {} stays valid until finish)", rotationId,
                        name, pending.versions().pending(), pending.versions().current());
            }
            done = true;
        } catch (PermanentStageException e) {
            discard(rotationId, made);
            throw e;
        } finally {
            if (!done) made.values().forEach(p -> p.credential().destroy());
        }
        Map<String, Credential> credentials = new LinkedHashMap<>();
        List<IssuedVersions> versions = new ArrayList<>();
        made.forEach((name, pending) -> {
            credentials.put(name, pending.credential());
            versions.add(pending.versions());
        });
        return new Issued(credentials, versions);
    }

    /** A create of another rotation of {@code issuer} that the history does not show yet is still in flight. */
    private void refuseWhileInFlight(String issuer, String rotationId, IssuerHistory.Snapshot snapshot)
            throws RetriableStageException {
        InFlight other = inFlight.get(issuer);
        if (other == null || other.rotationId().equals(rotationId)) {
            return;
        }
        if (snapshot.sealed(other.rotationId()).isPresent()
                || !clock.instant().isBefore(other.createdAt().plus(IN_FLIGHT))) {
            inFlight.remove(issuer);
            return;
        }
        throw new RetriableStageException(ErrorCode.ISSUER_BUSY, "issuer " + issuer + ": rotation " + other.rotationId()
                + " made a pending credential that is not committed yet; trying again after it", null);
    }

    private record InFlight(String rotationId, Instant createdAt) {}

    private void discard(String rotationId, Map<String, Issuer.Pending> made) {
        made.forEach((name, pending) -> {
            try {
                issuers.get(name).discard(pending.versions());
            } catch (RetriableStageException | PermanentStageException e) {
                LOG.warn("rotation {}: issuer {} could not discard pending {}: {}", rotationId, name,
                        pending.versions().pending(), e.getMessage());
            }
        });
    }

    /** The tested pending credentials of one rotation, by issuer, and their versions. */
    public record Issued(Map<String, Credential> credentials, List<IssuedVersions> versions) implements AutoCloseable {

        /** Destroys every credential. */
        @Override
        public void close() {
            credentials.values().forEach(Credential::destroy);
        }
    }
}

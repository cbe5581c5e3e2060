package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.values.ValueSource;
import java.util.ArrayList;
import java.util.Collection;
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
 */
public final class IssuerSteps {

    private static final Logger LOG = LoggerFactory.getLogger(IssuerSteps.class);

    private final Map<String, Issuer> issuers;
    private final IssuerHistory history;

    public IssuerSteps(Map<String, Issuer> issuers, IssuerHistory history) {
        this.issuers = Map.copyOf(issuers);
        this.history = history;
    }

    /** No issuers: bundles take no issued values. */
    public static IssuerSteps none() {
        return new IssuerSteps(Map.of(), new IssuerHistory(() -> new IssuerHistory.Snapshot(List.of(), Set.of())));
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
            IssuerHistory.Last last = snapshot.lastOf(name).orElse(null);
            if (last != null && last.waitingForFinish()) {
                throw new PermanentStageException("rotation-unfinished", "issuer " + name + ": rotation "
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

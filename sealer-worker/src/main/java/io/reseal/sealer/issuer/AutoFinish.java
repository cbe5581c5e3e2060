package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationAdoptionComplete.Laggard;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code revokePrevious}: asks for the finish of every rotation that waits for it, as soon as every namespace it
 * was sealed for reached the issuers' {@code when} state on the adopted topic ({@code requestedBy: adoption}), or
 * once the deadline passed ({@code requestedBy: revokePrevious}, naming the namespaces still behind), whichever
 * comes first. The deadline is the longest {@code after} of the rotation's issuers that set one, counted from when
 * it was sealed; {@code when} is the strictest of theirs ({@code rolled-out} over {@code unsealed}).
 *
 * <p>Before a finish on adoption it asks each issuer whether the previous credential is still in use
 * ({@link Issuer#inUse}); if so it publishes {@code finish-deferred} (once per rotation, also across restarts: it
 * is read back from the finished topic) and leaves the finish to the deadline. Each finish is asked for once per
 * process; the finish stage does the rest (and does it once). Thread-safe.
 */
public final class AutoFinish {

    private static final Logger LOG = LoggerFactory.getLogger(AutoFinish.class);

    private final Map<String, RevokePrevious> policyByIssuer;
    private final Map<String, Issuer> issuers;
    private final IssuerHistory history;
    private final AdoptionReports adoption;
    private final Consumer<RotationEvent<?>> publish;
    private final Clock clock;
    private final Set<String> requested = ConcurrentHashMap.newKeySet();
    private final Set<String> deferred = ConcurrentHashMap.newKeySet();

    /**
     * @param issuers the configured issuers by name, asked whether a previous credential is still in use
     * @param publish sends a {@code finishing} request or a {@code finish-deferred} notice; throws if it could not
     */
    public AutoFinish(List<IssuerConfig> configs, Map<String, Issuer> issuers, IssuerHistory history,
                      AdoptionReports adoption, Consumer<RotationEvent<?>> publish, Clock clock) {
        this.policyByIssuer = configs.stream().filter(i -> i.revokePrevious() != null)
                .collect(Collectors.toMap(IssuerConfig::name, IssuerConfig::revokePrevious));
        this.issuers = Map.copyOf(issuers);
        this.history = history;
        this.adoption = adoption;
        this.publish = publish;
        this.clock = clock;
    }

    /** Whether any issuer sets {@code revokePrevious}. */
    public boolean enabled() {
        return !policyByIssuer.isEmpty();
    }

    /**
     * How often to look: a quarter of the shortest {@code after}, between one and fifteen seconds (so a finish
     * follows the last namespace's adoption closely).
     */
    public Duration checkEvery() {
        Duration shortest = policyByIssuer.values().stream().map(RevokePrevious::after).min(Duration::compareTo)
                .orElse(Duration.ofMinutes(1));
        Duration quarter = shortest.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                : quarter.compareTo(Duration.ofSeconds(15)) > 0 ? Duration.ofSeconds(15) : quarter;
    }

    /** Requests the finishes that are due, and tells of those held back. */
    public void check() {
        IssuerHistory.Snapshot snapshot = history.read();
        Instant now = clock.instant();
        AdoptionReports.Snapshot reports = null;
        for (IssuerHistory.Sealed sealed : snapshot.sealed()) {
            RotationSealed rotation = sealed.rotation();
            String id = rotation.rotationId();
            if (snapshot.finished().contains(id) || requested.contains(id)) continue;
            List<IssuedVersions> waiting = rotation.issuers().stream().filter(v -> snapshot.lastOf(v.issuer())
                    .filter(last -> last.rotationId().equals(id) && last.waitingForFinish()).isPresent()).toList();
            List<RevokePrevious> policies = rotation.issuers().stream().map(IssuedVersions::issuer)
                    .map(policyByIssuer::get).filter(Objects::nonNull).toList();
            if (waiting.isEmpty() || policies.isEmpty()) continue;
            Instant deadline = sealed.at().plus(policies.stream().map(RevokePrevious::after).max(Duration::compareTo).orElseThrow());
            AdoptionState when = policies.stream().anyMatch(p -> p.when() == AdoptionState.ROLLED_OUT)
                    ? AdoptionState.ROLLED_OUT : AdoptionState.UNSEALED;
            if (reports == null) reports = adoption.read();
            List<Laggard> behind = behind(rotation, reports, when);
            if (!now.isBefore(deadline)) {
                request(rotation, RotationFinishing.DEADLINE, behind, now);
            } else if (behind.isEmpty() && !rotation.environments().isEmpty()
                    && !snapshot.deferred().contains(id) && !deferred.contains(id)) {
                finishOnAdoption(rotation, waiting, deadline, now);
            }
        }
    }

    private void finishOnAdoption(RotationSealed rotation, List<IssuedVersions> waiting, Instant deadline, Instant now) {
        List<RotationFinishDeferred> inUse = new ArrayList<>();
        for (IssuedVersions versions : waiting) {
            Issuer issuer = issuers.get(versions.issuer());
            if (issuer == null) continue; // the finish stage reports an issuer no longer configured
            OptionalInt connections;
            try {
                connections = issuer.inUse(versions);
            } catch (RetriableStageException | PermanentStageException e) {
                LOG.warn("rotation {}: issuer {} cannot tell whether {} is still in use, so it is not finished yet: {}",
                        rotation.rotationId(), versions.issuer(), versions.current(), e.getMessage());
                return;
            }
            if (connections.isPresent() && connections.getAsInt() > 0) {
                inUse.add(new RotationFinishDeferred(rotation.rotationId(), rotation.workflow(), versions.issuer(),
                        versions.current(), connections.getAsInt(), deadline));
            }
        }
        if (inUse.isEmpty()) {
            request(rotation, RotationFinishing.ADOPTION, List.of(), now);
            return;
        }
        for (RotationFinishDeferred held : inUse) {
            publish.accept(new RotationEvent<>(rotation.rotationId() + ".finish-deferred." + held.issuer(),
                    java.net.URI.create(FinishStage.SOURCE), EventType.FINISH_DEFERRED, rotation.workflow(), time(now),
                    rotation.rotationId(), held));
            LOG.info("rotation {}: adopted everywhere, but issuer {}: {}", rotation.rotationId(), held.issuer(), held.describe());
        }
        deferred.add(rotation.rotationId());
    }

    private void request(RotationSealed rotation, String requestedBy, List<Laggard> behind, Instant now) {
        publish.accept(RotationEvent.forRotation(rotation.rotationId(), EventType.FINISHING, FinishStage.SOURCE,
                rotation.workflow(), time(now),
                new RotationFinishing(rotation.rotationId(), rotation.workflow(), requestedBy, behind)));
        requested.add(rotation.rotationId());
    }

    /** The namespaces of the rotation that did not reach {@code when}, with where they stand. */
    private static List<Laggard> behind(RotationSealed rotation, AdoptionReports.Snapshot reports, AdoptionState when) {
        List<Laggard> behind = new ArrayList<>();
        for (RotationSealed.Environment env : rotation.environments()) {
            AdoptionReports.Ref ref = new AdoptionReports.Ref(rotation.rotationId(), env.cluster(), env.namespace());
            if (!reports.reached(ref, when)) {
                behind.add(new Laggard(env.name(), env.namespace(), env.cluster(), reports.current(ref)));
            }
        }
        return behind;
    }

    private static OffsetDateTime time(Instant now) {
        return OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    }
}

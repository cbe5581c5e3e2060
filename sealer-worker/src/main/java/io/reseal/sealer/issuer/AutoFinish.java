package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationSealed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * {@code revokePrevious.after}: asks for the finish of every rotation that waits for it and whose issuers'
 * deadlines have all passed (the longest {@code after} of the issuers that set one, counted from when it was
 * sealed). Each rotation is asked for once per process; the finish stage does the rest (and does it once).
 * Thread-safe.
 */
public final class AutoFinish {

    private final Map<String, RevokePrevious> afterByIssuer;
    private final IssuerHistory history;
    private final Consumer<RotationEvent<RotationFinishing>> publish;
    private final Clock clock;
    private final Set<String> requested = ConcurrentHashMap.newKeySet();

    public AutoFinish(List<IssuerConfig> issuers, IssuerHistory history,
                      Consumer<RotationEvent<RotationFinishing>> publish, Clock clock) {
        this.afterByIssuer = issuers.stream().filter(i -> i.revokePrevious() != null)
                .collect(Collectors.toMap(IssuerConfig::name, IssuerConfig::revokePrevious));
        this.history = history;
        this.publish = publish;
        this.clock = clock;
    }

    /** Whether any issuer sets {@code revokePrevious}. */
    public boolean enabled() {
        return !afterByIssuer.isEmpty();
    }

    /** How often to look: a quarter of the shortest {@code after}, between one second and one minute. */
    public Duration checkEvery() {
        Duration shortest = afterByIssuer.values().stream().map(RevokePrevious::after).min(Duration::compareTo)
                .orElse(Duration.ofMinutes(1));
        Duration quarter = shortest.dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                : quarter.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : quarter;
    }

    /** Requests the finishes that are due. */
    public void check() {
        IssuerHistory.Snapshot snapshot = history.read();
        Instant now = clock.instant();
        for (IssuerHistory.Sealed sealed : snapshot.sealed()) {
            RotationSealed rotation = sealed.rotation();
            if (snapshot.finished().contains(rotation.rotationId()) || requested.contains(rotation.rotationId())) continue;
            boolean waiting = rotation.issuers().stream().anyMatch(v -> snapshot.lastOf(v.issuer())
                    .filter(last -> last.rotationId().equals(rotation.rotationId()) && last.waitingForFinish()).isPresent());
            Optional<Duration> after = rotation.issuers().stream().map(IssuedVersions::issuer).map(afterByIssuer::get)
                    .filter(java.util.Objects::nonNull).map(RevokePrevious::after).max(Duration::compareTo);
            if (waiting && after.isPresent() && !sealed.at().plus(after.get()).isAfter(now)) {
                requested.add(rotation.rotationId());
                publish.accept(RotationEvent.forRotation(rotation.rotationId(), EventType.FINISHING, FinishStage.SOURCE,
                        rotation.workflow(), OffsetDateTime.ofInstant(now, ZoneOffset.UTC),
                        new RotationFinishing(rotation.rotationId(), rotation.workflow(), "revokePrevious")));
            }
        }
    }
}

package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.embedded.MutableClock;
import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When {@link AutoFinish} asks for a finish: on adoption, at the deadline, and not while the previous login is in use. */
class AutoFinishTest {

    private static final Instant SEALED = Instant.parse("2026-03-02T09:00:00Z");
    private static final Duration AFTER = Duration.ofDays(3);
    private static final IssuedVersions VERSIONS = new IssuedVersions("mlflow-db", "alternating-users", "mlflow_app_a", "mlflow_app_b");

    private final MutableClock clock = new MutableClock(SEALED.plus(Duration.ofHours(1)));
    private final Map<AdoptionReports.Ref, Set<AdoptionState>> reported = new HashMap<>();
    private final List<RotationEvent<?>> published = new ArrayList<>();
    private Set<String> deferredOnTopic = Set.of();
    private OptionalInt connections = OptionalInt.of(0);

    @Test
    void finishesOnceTheLastNamespaceRolledOutNotBefore() {
        // given: dev rolled out, production only unsealed
        AutoFinish finish = autoFinish(AdoptionState.ROLLED_OUT);
        report("financial-ml-dev", AdoptionState.DELIVERED, AdoptionState.APPLIED, AdoptionState.UNSEALED, AdoptionState.ROLLED_OUT);
        report("financial-ml", AdoptionState.DELIVERED, AdoptionState.APPLIED, AdoptionState.UNSEALED);

        // when
        finish.check();

        // then
        assertThat(published).isEmpty();

        // when: production rolls out
        report("financial-ml", AdoptionState.ROLLED_OUT);
        finish.check();
        finish.check();

        // then: one request, by adoption, nobody behind
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.FINISHING);
            RotationFinishing request = event.dataAs(RotationFinishing.class);
            assertThat(request.requestedBy()).isEqualTo(RotationFinishing.ADOPTION);
            assertThat(request.behind()).isEmpty();
        });
    }

    @Test
    void anIssuerThatWaitsForUnsealedFinishesBeforeTheWorkloadsRestart() {
        // given
        AutoFinish finish = autoFinish(AdoptionState.UNSEALED);
        report("financial-ml-dev", AdoptionState.UNSEALED);
        report("financial-ml", AdoptionState.APPLIED);
        finish.check();
        assertThat(published).isEmpty();

        // when
        report("financial-ml", AdoptionState.UNSEALED);
        finish.check();

        // then
        assertThat(published).extracting(e -> e.dataAs(RotationFinishing.class).requestedBy())
                .containsExactly(RotationFinishing.ADOPTION);
    }

    @Test
    void aNamespaceThatNeverAppliesIsNamedWhenTheDeadlineFinishes() {
        // given: production never applied
        AutoFinish finish = autoFinish(AdoptionState.ROLLED_OUT);
        report("financial-ml-dev", AdoptionState.ROLLED_OUT);
        report("financial-ml", AdoptionState.DELIVERED);
        clock.set(SEALED.plus(AFTER).minusSeconds(1));
        finish.check();
        assertThat(published).isEmpty();

        // when
        clock.set(SEALED.plus(AFTER));
        finish.check();

        // then
        RotationFinishing request = published.get(0).dataAs(RotationFinishing.class);
        assertThat(request.requestedBy()).isEqualTo(RotationFinishing.DEADLINE);
        assertThat(request.behind()).singleElement().satisfies(l -> {
            assertThat(l.namespace()).isEqualTo("financial-ml");
            assertThat(l.environment()).isEqualTo("production");
            assertThat(l.state()).isEqualTo(AdoptionState.DELIVERED);
        });
    }

    @Test
    void aPreviousLoginStillConnectedHoldsTheFinishBackUntilTheDeadlineAndSaysSoOnce() {
        // given: everyone rolled out, but two sessions still use the previous login
        connections = OptionalInt.of(2);
        AutoFinish finish = autoFinish(AdoptionState.ROLLED_OUT);
        report("financial-ml-dev", AdoptionState.ROLLED_OUT);
        report("financial-ml", AdoptionState.ROLLED_OUT);

        // when
        finish.check();
        finish.check();

        // then: one notice, no finish
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.FINISH_DEFERRED);
            RotationFinishDeferred held = event.dataAs(RotationFinishDeferred.class);
            assertThat(held.describe()).isEqualTo("previous login mlflow_app_a still in use by 2 connections; revocation at "
                    + SEALED.plus(AFTER));
        });

        // when: restarted (the notice is on the topic), the sessions ended, still before the deadline
        deferredOnTopic = Set.of("r2");
        connections = OptionalInt.of(0);
        published.clear();
        AutoFinish restarted = autoFinish(AdoptionState.ROLLED_OUT);
        restarted.check();

        // then: nothing until the deadline, as the status said
        assertThat(published).isEmpty();
        clock.set(SEALED.plus(AFTER));
        restarted.check();
        assertThat(published).extracting(e -> e.dataAs(RotationFinishing.class).requestedBy())
                .containsExactly(RotationFinishing.DEADLINE);
    }

    @Test
    void anIssuerThatCannotTellDoesNotHoldTheFinishBack() {
        // given
        connections = OptionalInt.empty();
        AutoFinish finish = autoFinish(AdoptionState.ROLLED_OUT);
        report("financial-ml-dev", AdoptionState.ROLLED_OUT);
        report("financial-ml", AdoptionState.ROLLED_OUT);

        // when
        finish.check();

        // then
        assertThat(published).extracting(RotationEvent::type).containsExactly(EventType.FINISHING);
    }

    private void report(String namespace, AdoptionState... states) {
        reported.computeIfAbsent(new AdoptionReports.Ref("r2", "prod-eu", namespace), k -> EnumSet.noneOf(AdoptionState.class))
                .addAll(List.of(states));
    }

    private AutoFinish autoFinish(AdoptionState when) {
        RotationSealed sealed = new RotationSealed("r2", "financial-ml", "lead@example.com", Trigger.AD_HOC, "test", SEALED,
                List.of(environment("dev", "financial-ml-dev"), environment("production", "financial-ml")), List.of(VERSIONS));
        IssuerHistory history = new IssuerHistory(() -> new IssuerHistory.Snapshot(
                List.of(new IssuerHistory.Sealed(sealed, SEALED)), Set.of(), deferredOnTopic));
        Issuer issuer = new Issuer() {
            @Override
            public Pending create(String rotationId, String current) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void test(Pending pending) {}

            @Override
            public void discard(IssuedVersions versions) {}

            @Override
            public void revokePrevious(IssuedVersions versions) {
                throw new AssertionError("AutoFinish only asks; the finish stage revokes");
            }

            @Override
            public OptionalInt inUse(IssuedVersions versions) {
                assertThat(versions).isEqualTo(VERSIONS);
                return connections;
            }
        };
        IssuerConfig config = new CommandIssuerConfig("mlflow-db", new CommandIssuerConfig.Settings(List.of("true"),
                List.of("password"), null, null), new RevokePrevious(AFTER, when));
        return new AutoFinish(List.of(config), Map.of("mlflow-db", issuer), history,
                new AdoptionReports(() -> new AdoptionReports.Snapshot(reported)), published::add, clock);
    }

    private static RotationSealed.Environment environment(String name, String namespace) {
        return new RotationSealed.Environment(name, namespace, "prod-eu", "sha256:ab", List.of(), List.of());
    }
}

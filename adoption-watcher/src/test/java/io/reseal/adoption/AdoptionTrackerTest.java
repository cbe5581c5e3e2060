package io.reseal.adoption;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationReminded;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.pipeline.event.Trigger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdoptionTrackerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private final AdoptionTracker tracker = new AdoptionTracker(AdoptionState.ROLLED_OUT, Duration.ofHours(1));

    private static RotationSealed sealed() {
        return sealed("r1");
    }

    private static RotationSealed sealed(String rotationId) {
        return new RotationSealed(rotationId, "financial-ml", "lead@example.com", Trigger.AD_HOC, null, T0, List.of(
                env("dev", "financial-ml-dev"), env("production", "financial-ml")));
    }

    private static RotationSealed.Environment env(String name, String namespace) {
        return new RotationSealed.Environment(name, namespace, "prod-eu", "fp", List.of(), List.of(
                new RotationSealed.Secret("ml-platform", "Opaque", SecretScope.STRICT, List.of("K"), "manifest")));
    }

    private AdoptionTarget target(String namespace) {
        return target("r1", namespace);
    }

    private AdoptionTarget target(String rotationId, String namespace) {
        return tracker.openTargets().stream().filter(t -> t.rotationId().equals(rotationId) && t.namespace().equals(namespace))
                .findFirst().orElseThrow();
    }

    @Test
    void aJumpAheadBringsEveryStateNotYetPublishedAndNothingIsOfferedTwiceOnceAccepted() {
        // given
        tracker.sealed(sealed(), T0);
        tracker.delivered("r1", T0);
        tracker.deliveredChanges("r1").forEach(tracker::accept);

        // when: the watcher first sees dev already unsealed
        List<RotationAdopted> due = tracker.changes(target("financial-ml-dev"),
                new Observation(AdoptionState.UNSEALED, T0.plusSeconds(60), null));

        // then
        assertThat(due).extracting(RotationAdopted::state).containsExactly(AdoptionState.APPLIED, AdoptionState.UNSEALED);
        assertThat(tracker.changes(target("financial-ml-dev"), new Observation(AdoptionState.UNSEALED, T0, null)))
                .as("not accepted yet: offered again").hasSize(2);
        due.forEach(tracker::accept);
        assertThat(tracker.changes(target("financial-ml-dev"), new Observation(AdoptionState.UNSEALED, T0, null))).isEmpty();
        assertThat(tracker.deliveredChanges("r1")).isEmpty();
    }

    @Test
    void completionComesWhenTheLastNamespaceGetsThereOrAtTheDeadlineWithTheLaggards() {
        // given
        tracker.sealed(sealed(), T0);
        tracker.delivered("r1", T0);
        tracker.deliveredChanges("r1").forEach(tracker::accept);
        tracker.changes(target("financial-ml-dev"), new Observation(AdoptionState.ROLLED_OUT, T0.plusSeconds(60), null))
                .forEach(tracker::accept);

        // then: production is behind, the deadline has not passed
        assertThat(tracker.completion("r1", T0.plus(Duration.ofMinutes(59)))).isEmpty();

        // when the deadline passes
        RotationAdoptionComplete late = tracker.completion("r1", T0.plus(Duration.ofHours(1))).orElseThrow();

        // then
        assertThat(late.outcome()).isEqualTo(RotationAdoptionComplete.Outcome.DEADLINE);
        assertThat(late.laggards()).extracting(RotationAdoptionComplete.Laggard::namespace).containsExactly("financial-ml");
        assertThat(late.laggards().get(0).state()).isEqualTo(AdoptionState.DELIVERED);
        tracker.accept(late);
        assertThat(tracker.completion("r1", T0.plus(Duration.ofHours(2)))).isEmpty();
        assertThat(tracker.openTargets()).isEmpty();
    }

    @Test
    void aDecryptionFailureIsOfferedOnceAndAFixedNamespaceMovesOn() {
        tracker.sealed(sealed(), T0);
        Observation failed = new Observation(AdoptionState.DECRYPTION_FAILED, T0, "ml-platform: no key could decrypt secret (K)");
        List<RotationAdopted> due = tracker.changes(target("financial-ml"), failed);
        assertThat(due).extracting(RotationAdopted::message).containsExactly("ml-platform: no key could decrypt secret (K)");
        due.forEach(tracker::accept);
        assertThat(tracker.changes(target("financial-ml"), failed)).isEmpty();

        assertThat(tracker.changes(target("financial-ml"), new Observation(AdoptionState.UNSEALED, T0.plusSeconds(5), null)))
                .extracting(RotationAdopted::state).containsExactly(AdoptionState.APPLIED, AdoptionState.UNSEALED);
    }

    @Test
    void aNamespaceThatHasNotAppliedIsRemindedOnceBeforeTheDeadline() {
        // given: deadline one hour after delivery; dev applied, production did not
        tracker.sealed(sealed(), T0);
        tracker.delivered("r1", T0);
        tracker.deliveredChanges("r1").forEach(tracker::accept);
        tracker.changes(target("financial-ml-dev"), new Observation(AdoptionState.APPLIED, T0.plusSeconds(60), null))
                .forEach(tracker::accept);
        Duration before = Duration.ofMinutes(15);

        // then: nothing until 15 minutes are left
        assertThat(tracker.reminders(T0.plus(Duration.ofMinutes(44)), before)).isEmpty();

        // when
        List<RotationReminded> due = tracker.reminders(T0.plus(Duration.ofMinutes(45)), before);

        // then: production only, of the deadline, to its requestor
        assertThat(due).singleElement().satisfies(r -> {
            assertThat(r.namespace()).isEqualTo("financial-ml");
            assertThat(r.before()).isEqualTo(RotationReminded.DEADLINE);
            assertThat(r.at()).isEqualTo(T0.plus(Duration.ofHours(1)));
            assertThat(r.recipients()).containsExactly("lead@example.com");
        });
        assertThat(tracker.reminders(T0.plus(Duration.ofMinutes(46)), before)).as("not accepted yet: offered again").hasSize(1);
        due.forEach(tracker::accept);
        assertThat(tracker.reminders(T0.plus(Duration.ofMinutes(50)), before)).isEmpty();
        assertThat(tracker.reminders(T0.plus(Duration.ofMinutes(50)), Duration.ZERO)).as("off").isEmpty();
    }

    @Test
    void aLinkThatExpiresBeforeTheDeadlineIsWhatTheReminderWarnsOf() {
        // given
        tracker.sealed(sealed(), T0);
        tracker.delivered("r1", T0);
        tracker.linked("r1", T0.plus(Duration.ofMinutes(30)));

        // when
        List<RotationReminded> due = tracker.reminders(T0.plus(Duration.ofMinutes(20)), Duration.ofMinutes(10));

        // then
        assertThat(due).hasSize(2).allSatisfy(r -> {
            assertThat(r.before()).isEqualTo(RotationReminded.LINK_EXPIRY);
            assertThat(r.at()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        });
    }

    @Test
    void aNamespaceThatAppliedANewerRotationOfTheWorkflowIsNeitherRemindedOfTheOlderNorBehindAtItsDeadline() {
        // given: r1, then (sealed later, though its id sorts first) r0 of the same workflow; dev applied r1,
        // production r0 only
        tracker.sealed(sealed("r1"), T0);
        tracker.delivered("r1", T0);
        tracker.deliveredChanges("r1").forEach(tracker::accept);
        tracker.changes(target("r1", "financial-ml-dev"), new Observation(AdoptionState.APPLIED, T0.plusSeconds(60), null))
                .forEach(tracker::accept);
        tracker.sealed(sealed("r0"), T0.plus(Duration.ofMinutes(10)));
        tracker.delivered("r0", T0.plus(Duration.ofMinutes(10)));
        tracker.deliveredChanges("r0").forEach(tracker::accept);
        tracker.changes(target("r0", "financial-ml"), new Observation(AdoptionState.APPLIED, T0.plus(Duration.ofMinutes(20)), null))
                .forEach(tracker::accept);

        // when: r1's reminders are due, and r0's
        List<RotationReminded> due = tracker.reminders(T0.plus(Duration.ofMinutes(55)), Duration.ofMinutes(15));

        // then: production is reminded of neither (it runs r0); dev of r0 (the older r1 it applied replaces nothing)
        assertThat(due).extracting(r -> r.rotationId() + ":" + r.namespace()).containsExactly("r0:financial-ml-dev");

        // when: r1's deadline passes
        RotationAdoptionComplete late = tracker.completion("r1", T0.plus(Duration.ofHours(1))).orElseThrow();

        // then: only dev is behind
        assertThat(late.outcome()).isEqualTo(RotationAdoptionComplete.Outcome.DEADLINE);
        assertThat(late.laggards()).extracting(l -> l.namespace() + ":" + l.state().wireName())
                .containsExactly("financial-ml-dev:applied");
        assertThat(tracker.completion("r0", T0.plus(Duration.ofMinutes(70))).orElseThrow().laggards())
                .extracting(l -> l.namespace() + ":" + l.state().wireName())
                .containsExactlyInAnyOrder("financial-ml-dev:delivered", "financial-ml:applied");
    }

    @Test
    void aRotationWhoseOtherNamespacesRolledOutEndsAtItsDeadlineWithNoLaggardNotAsAdopted() {
        // given: dev rolled out r1; production applied r2 (sealed later) instead
        tracker.sealed(sealed("r1"), T0);
        tracker.delivered("r1", T0);
        tracker.changes(target("r1", "financial-ml-dev"), new Observation(AdoptionState.ROLLED_OUT, T0.plusSeconds(60), null))
                .forEach(tracker::accept);
        tracker.sealed(sealed("r2"), T0.plus(Duration.ofMinutes(10)));
        tracker.changes(target("r2", "financial-ml"), new Observation(AdoptionState.APPLIED, T0.plus(Duration.ofMinutes(20)), null))
                .forEach(tracker::accept);

        // then: production did not adopt r1 (it may still run the credential before r1): not complete yet
        assertThat(tracker.completion("r1", T0.plus(Duration.ofMinutes(59)))).isEmpty();

        // when: the deadline passes
        RotationAdoptionComplete late = tracker.completion("r1", T0.plus(Duration.ofHours(1))).orElseThrow();

        // then: nobody is behind
        assertThat(late.outcome()).isEqualTo(RotationAdoptionComplete.Outcome.DEADLINE);
        assertThat(late.laggards()).isEmpty();
    }
}

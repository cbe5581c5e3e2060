package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.embedded.MutableClock;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.ValueSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The stage loop commits a batch of records at once, so a second rotation of an issuer can reach the sealer before
 * the first one's sealed event is committed: it must neither overwrite the first one's pending credential nor be
 * refused for good.
 */
class IssuerStepsTest {

    private static final List<BundleConfig> BUNDLES = List.of(new BundleConfig("db", null, null, null,
            Map.of("PASSWORD", new ValueSource.Issued(new ValueSource.IssuedRef("db", "password")))));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
    private final AtomicReference<IssuerHistory.Snapshot> committed =
            new AtomicReference<>(new IssuerHistory.Snapshot(List.of(), Set.of()));
    private final AlternatingSlots issuer = new AlternatingSlots();
    private final IssuerSteps steps = new IssuerSteps(Map.of("db", issuer), new IssuerHistory(committed::get), clock);

    @Test
    void aSecondRotationWhileTheFirstIsUncommittedWaitsInsteadOfReusingItsSlot() throws Exception {
        // given rotation-1 made its pending credential, its sealed event not committed yet (same batch)
        steps.createAndTest("rotation-1", BUNDLES).close();

        // when rotation-2 comes in the same batch, then it is tried again later and no credential was made for it
        assertThatThrownBy(() -> steps.createAndTest("rotation-2", BUNDLES))
                .isInstanceOfSatisfying(RetriableStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-busy"));
        assertThat(issuer.created).containsExactly("rotation-1");

        // when the batch is committed with rotation-1 sealed, then rotation-2 is refused as unfinished
        committed.set(new IssuerHistory.Snapshot(List.of(sealed("rotation-1")), Set.of()));
        assertThatThrownBy(() -> steps.createAndTest("rotation-2", BUNDLES))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("rotation-unfinished"));
    }

    @Test
    void theSameRotationRedoneAfterAnAbortedBatchGoesAhead() throws Exception {
        steps.createAndTest("rotation-1", BUNDLES).close();

        steps.createAndTest("rotation-1", BUNDLES).close();

        assertThat(issuer.created).containsExactly("rotation-1", "rotation-1");
        assertThat(issuer.slots).containsExactly("db_b", "db_b");
    }

    @Test
    void aFirstRotationThatNeverGotSealedStopsBlockingOnceItsWindowHasPassed() throws Exception {
        // given rotation-1 made a credential but ended as a failed record (history never shows it)
        steps.createAndTest("rotation-1", BUNDLES).close();

        // when the in-flight window has passed
        clock.advance(IssuerSteps.IN_FLIGHT);
        steps.createAndTest("rotation-2", BUNDLES).close();

        // then rotation-2 takes the same slot (rotation-1's credential was never delivered)
        assertThat(issuer.slots).containsExactly("db_b", "db_b");
    }

    @Test
    void aRotationWithoutIssuedValuesDoesNotReadTheHistory() throws Exception {
        IssuerSteps noHistory = new IssuerSteps(Map.of("db", issuer), new IssuerHistory(() -> {
            throw new AssertionError("the history was read");
        }), clock);
        List<BundleConfig> literal = List.of(new BundleConfig("app", null, null, null,
                Map.of("URL", new ValueSource.Literal("https://example.com"))));

        try (IssuerSteps.Issued issued = noHistory.createAndTest("rotation-1", literal)) {
            assertThat(issued.versions()).isEmpty();
        }
    }

    private static IssuerHistory.Sealed sealed(String rotationId) {
        RotationSealed rotation = new RotationSealed(rotationId, "financial-ml", "team@example.com", Trigger.AD_HOC, null,
                Instant.parse("2026-12-02T00:00:00Z"), List.of(), List.of(new IssuedVersions("db", "alternating-users", "db_a", "db_b")));
        return new IssuerHistory.Sealed(rotation, Instant.parse("2026-12-02T00:00:01Z"));
    }

    /** An issuer that records what it was asked: the slot not in use is the pending one. */
    private static final class AlternatingSlots implements Issuer {
        final List<String> created = new ArrayList<>();
        final List<String> slots = new ArrayList<>();

        @Override
        public Pending create(String rotationId, String current) {
            String slot = "db_a".equals(current) || current == null ? "db_b" : "db_a";
            created.add(rotationId);
            slots.add(slot);
            return new Pending(new Credential(slot, Map.of("password", SecretValue.ofUtf8("pw-" + rotationId))),
                    new IssuedVersions("db", "alternating-users", current, slot));
        }

        @Override
        public void test(Pending pending) {
        }

        @Override
        public void discard(IssuedVersions versions) {
        }

        @Override
        public void revokePrevious(IssuedVersions versions) {
        }
    }
}

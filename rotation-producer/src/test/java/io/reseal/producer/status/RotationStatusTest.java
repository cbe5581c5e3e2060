package io.reseal.producer.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationFinishDeferred;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationFinishing;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFailed;
import io.reseal.pipeline.event.RotationNotified;
import io.reseal.pipeline.event.RelinkData;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationRelinkNotified;
import io.reseal.pipeline.event.RotationRelinkRequested;
import io.reseal.pipeline.event.RotationRelinked;
import io.reseal.producer.cli.RotateClient;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationStatusTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

    private static RotationStatus apply(RotationStatus status, RotationEvent<?> event) {
        return status.with(event, event.time().toInstant());
    }

    private static <D> RotationEvent<D> event(EventType type, Instant at, D data) {
        return RotationEvent.forRotation("r1", type, "/test", "financial-ml", OffsetDateTime.ofInstant(at, ZoneOffset.UTC), data);
    }

    @Test
    void stageIsTheFurthestReachedWhateverTheOrderEventsArrive() {
        RotationStatus status = apply(apply(RotationStatus.empty("r1"),
                event(EventType.NOTIFIED, T0.plusSeconds(3),
                        new RotationNotified("r1", "financial-ml", List.of("a@example.com"), "<m@x>", T0.plusSeconds(3)))),
                event(EventType.REQUESTED, T0, new RotationRequested("financial-ml", null, null, "a@example.com",
                        null, Trigger.SCHEDULED, null)));

        assertThat(status.stage()).isEqualTo("notified");
        assertThat(status.trigger()).isEqualTo("scheduled");
        assertThat(status.stages()).containsExactly(
                org.assertj.core.api.Assertions.entry("requested", T0),
                org.assertj.core.api.Assertions.entry("notified", T0.plusSeconds(3)));
        assertThat(status.finished()).isTrue();
    }

    @Test
    void failedWinsAndKeepsTheError() {
        RotationStatus status = apply(apply(RotationStatus.empty("r1"),
                event(EventType.REQUESTED, T0, new RotationRequested("financial-ml", null, null, "a@example.com",
                        null, null, null))),
                event(EventType.FAILED, T0.plusSeconds(1),
                        new RotationFailed("sealer", "unknown-bundle", "no bundle s3", "t", 0, 1L, "r1", "financial-ml")));

        assertThat(status.stage()).isEqualTo("failed");
        assertThat(status.error()).isEqualTo(new RotationStatus.Failure("sealer", "unknown-bundle", "no bundle s3"));
        assertThat(status.link()).isNull();
    }

    @Test
    void aPackagedRotationInGitShowsItsRepositoryBranchAndCommit() {
        RotationPackaged.GitDelivery git = new RotationPackaged.GitDelivery("https://git.example.com/financial/deploy.git",
                "main", "3f1e2d4c5b6a79881726354453627181920a1b2c", null, null);
        RotationStatus status = apply(RotationStatus.empty("r1"), event(EventType.PACKAGED, T0, new RotationPackaged(
                "r1", "financial-ml", "a@example.com", Trigger.AD_HOC, null, T0, "b", "k", "a.tar.gz", 1,
                "0".repeat(64), "https://s3.example.com/x", T0.plusSeconds(60), "f", List.of(), List.of(), git)));

        assertThat(status.git()).isEqualTo(git);
        assertThat(RotateClient.render(status)).contains(
                "git       https://git.example.com/financial/deploy.git main at 3f1e2d4c5b6a79881726354453627181920a1b2c");
    }

    @Test
    void aHeldBackFinishAndOneAtTheDeadlineAreToldWithTheIssuerAndTheStageStays() {
        // given: sealed with a pending login, adopted by dev only
        RotationStatus status = apply(RotationStatus.empty("r1"), event(EventType.SEALED, T0,
                new RotationSealed("r1", "financial-ml", "a@example.com", Trigger.AD_HOC, null, T0, List.of(),
                        List.of(new IssuedVersions("mlflow-db", "alternating-users", "mlflow_app_a", "mlflow_app_b")))));
        status = status.withAside(event(EventType.ADOPTED, T0.plusSeconds(60), new RotationAdopted("r1", "financial-ml",
                "dev", "financial-ml-dev", "prod-eu", AdoptionState.ROLLED_OUT, T0.plusSeconds(60), "no workload uses mlflow-db")));
        status = status.withAside(event(EventType.ADOPTED, T0.plusSeconds(30), new RotationAdopted("r1", "financial-ml",
                "production", "financial-ml", "prod-eu", AdoptionState.DELIVERED, T0.plusSeconds(30), null)));

        // when: the sealer holds the finish back
        status = status.withAside(event(EventType.FINISH_DEFERRED, T0.plusSeconds(90), new RotationFinishDeferred("r1",
                "financial-ml", "mlflow-db", "mlflow_app_a", 3, T0.plus(java.time.Duration.ofDays(3)))));

        // then
        assertThat(status.stage()).isEqualTo("sealed");
        assertThat(RotateClient.render(status)).contains("issuer    mlflow-db: tested, new mlflow_app_b, previous mlflow_app_a"
                + " valid until finish: previous login mlflow_app_a still in use by 3 connections; revocation at 2026-12-02T10:00:00Z");

        // when: the deadline finishes it, production never having applied
        status = apply(status, event(EventType.FINISHED, T0.plus(java.time.Duration.ofDays(3)), new RotationFinished("r1",
                "financial-ml", List.of(new RotationFinished.Revocation("mlflow-db", "mlflow_app_b", "mlflow_app_a",
                T0.plus(java.time.Duration.ofDays(3)))), RotationFinishing.DEADLINE,
                List.of(new RotationAdoptionComplete.Laggard("production", "financial-ml", "prod-eu", AdoptionState.DELIVERED)))));

        // then
        assertThat(status.stage()).isEqualTo("finished");
        assertThat(RotateClient.render(status)).contains("issuer    mlflow-db: finished, current mlflow_app_b, revoked mlflow_app_a at "
                + "2026-12-02T10:00:00Z: at the revokePrevious deadline; still on the previous credential: financial-ml on prod-eu (delivered)");
    }

    @Test
    void theLastRelinkMovesOnlyForwardWhateverTheOrderItsTopicsAreReadAndALaterOneReplacesIt() {
        Instant expiry = T0.plusSeconds(3600);
        RotationEvent<RotationRelinkNotified> mailed = RelinkData.event(EventType.RELINK_NOTIFIED, "/test",
                OffsetDateTime.ofInstant(T0.plusSeconds(2), ZoneOffset.UTC), new RotationRelinkNotified("r1",
                        "financial-ml", "r1.relink.a", List.of("team@example.com"), "<relink-r1.relink.a@reseal>",
                        T0.plusSeconds(2), expiry));
        RotationEvent<RotationRelinked> relinked = RelinkData.event(EventType.RELINKED, "/test",
                OffsetDateTime.ofInstant(T0, ZoneOffset.UTC), new RotationRelinked("r1", "financial-ml", "r1.relink.a",
                        "team", "a.tar.gz", 10, "ab".repeat(32), "http://s3/a", expiry, List.of("team@example.com")));
        RotationStatus delivered = apply(RotationStatus.empty("r1"), event(EventType.NOTIFIED, T0.minusSeconds(60),
                new RotationNotified("r1", "financial-ml", List.of("team@example.com"), "<m@reseal>", T0.minusSeconds(60))));

        // the mail is read before the link it sent: still mailed
        RotationStatus status = delivered.withAside(mailed).withAside(relinked);
        assertThat(status.relink()).isEqualTo(new RotationStatus.Relink("r1.relink.a", "mailed", T0.plusSeconds(2), expiry, null));
        assertThat(status.stage()).isEqualTo("notified");
        assertThat(RotateClient.render(status)).contains("relink    r1.relink.a: mailed, fresh link until " + expiry);

        // a later request, then its failure
        RotationStatus later = status.withAside(RelinkData.event(EventType.RELINK_REQUESTED, "/test",
                OffsetDateTime.ofInstant(T0.plusSeconds(60), ZoneOffset.UTC),
                new RotationRelinkRequested("r1", "financial-ml", "r1.relink.b", "team")));
        later = later.withAside(event(EventType.FAILED, T0.plusSeconds(61), new RotationFailed("relinker", "archive-gone",
                "gone", null, null, null, "r1", "financial-ml")));
        assertThat(later.relink().relinkId()).isEqualTo("r1.relink.b");
        assertThat(later.relink().state()).isEqualTo("failed");
        assertThat(later.relink().error()).isEqualTo("archive-gone");
        assertThat(later.stage()).isEqualTo("notified");
    }
}

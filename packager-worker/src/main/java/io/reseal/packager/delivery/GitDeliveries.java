package io.reseal.packager.delivery;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.RetriableStageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Git deliveries of the configured workflows, looked up by workflow name. A workflow without
 * {@code delivery.git} gets {@link Outcome#NONE}. A delivery that may pass (the server is unreachable) is a
 * {@link RetriableStageException} with code {@code git-unavailable}, so the stage tries the whole event again
 * (storing the archive again is idempotent, and so is the commit), until {@code patience} has passed since the
 * rotation's first such failure; after that, and at once for a refused push, it is an {@link Outcome} with a
 * failure, so the archive and the e-mail still go out. Thread-safe; deliveries to one repository and branch take
 * turns (the packager handles several rotations at once, {@code kafka.concurrency.packager}, and concurrent pushes
 * to one branch refuse each other), while the rest of each rotation's work goes on side by side.
 */
public final class GitDeliveries {

    /** Error code of a refused delivery (credentials, protected branch, missing repository). */
    public static final String REFUSED = ErrorCode.GIT_REFUSED.wire();
    /** Error code of a delivery that may pass (the server is unreachable or busy, the branch kept moving). */
    public static final String UNREACHABLE = ErrorCode.GIT_UNAVAILABLE.wire();

    private static final Logger LOG = LoggerFactory.getLogger(GitDeliveries.class);
    private static final GitDeliveries NONE = new GitDeliveries(Map.of(), Clock.systemUTC(), Duration.ZERO);
    private static final int REMEMBERED = 1000;

    private final Map<String, GitRepositoryDelivery> byWorkflow;
    /** One lock per repository and branch, so this process never races itself on a push. */
    private final Map<String, Object> branchLocks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration patience;
    /** Rotation id to the first passing failure of its delivery, oldest first (bounded). */
    private final Map<String, Instant> failingSince = new LinkedHashMap<>();

    private GitDeliveries(Map<String, GitRepositoryDelivery> byWorkflow, Clock clock, Duration patience) {
        this.byWorkflow = Map.copyOf(byWorkflow);
        this.clock = clock;
        this.patience = patience;
    }

    /** No workflow delivers to Git. */
    public static GitDeliveries none() {
        return NONE;
    }

    /**
     * The deliveries of {@code workflows}, their credentials resolved now with {@code env}.
     *
     * @param patience how long a rotation's delivery may keep failing for a passing reason before the rotation
     *     goes out without its commit (keep it below the stage's retry deadline)
     * @throws InvalidConfigException naming the workflow and the credential that cannot be resolved
     */
    public static GitDeliveries of(List<WorkflowConfig> workflows, Function<String, String> env, Clock clock,
                                   Duration patience) {
        Map<String, GitRepositoryDelivery> byWorkflow = new TreeMap<>();
        for (WorkflowConfig workflow : workflows) {
            workflow.gitDelivery().ifPresent(git -> {
                GitCredentials credentials;
                try {
                    credentials = GitCredentials.resolve(git, env);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("workflows." + workflow.name() + ".delivery.git." + e.getMessage());
                }
                byWorkflow.put(workflow.name(), new GitRepositoryDelivery(git, credentials, clock));
            });
        }
        return new GitDeliveries(byWorkflow, clock, patience);
    }

    /**
     * Commits the rotation to its workflow's repository, if it has one.
     *
     * @param files the files to commit (built only when the workflow delivers to Git)
     * @throws RetriableStageException if the failure may pass
     */
    public Outcome deliver(RotationSealed sealed, Supplier<SortedMap<String, byte[]>> files) throws RetriableStageException {
        GitRepositoryDelivery delivery = byWorkflow.get(sealed.workflow());
        if (delivery == null) return Outcome.NONE;
        try {
            RotationPackaged.GitDelivery commit;
            synchronized (branchLocks.computeIfAbsent(delivery.repository() + " " + delivery.branch(), key -> new Object())) {
                commit = delivery.deliver(sealed, files.get());
            }
            LOG.info("rotation {} of {} is commit {} on {} of {}", sealed.rotationId(), sealed.workflow(), commit.commit(),
                    commit.branch(), commit.repository());
            forget(sealed.rotationId());
            return new Outcome(commit, null, null);
        } catch (GitDeliveryException e) {
            String code = REFUSED;
            String reason = e.getMessage();
            if (e.passing()) {
                Instant since = failingSince(sealed.rotationId());
                if (Duration.between(since, clock.instant()).compareTo(patience) < 0) {
                    throw new RetriableStageException(UNREACHABLE, e.getMessage(), null);
                }
                code = UNREACHABLE;
                reason = e.getMessage() + " (still failing after " + Duration.between(since, clock.instant())
                        .toSeconds() + " s; the rotation goes out without its commit)";
            }
            forget(sealed.rotationId());
            LOG.warn("rotation {} of {} was not committed: {}", sealed.rotationId(), sealed.workflow(), reason);
            return new Outcome(new RotationPackaged.GitDelivery(delivery.repository(), delivery.branch(), null, null,
                    reason), code, reason);
        }
    }

    private synchronized Instant failingSince(String rotationId) {
        Instant since = failingSince.computeIfAbsent(rotationId, id -> clock.instant());
        if (failingSince.size() > REMEMBERED) {
            failingSince.remove(failingSince.keySet().iterator().next());
        }
        return since;
    }

    private synchronized void forget(String rotationId) {
        failingSince.remove(rotationId);
    }

    /**
     * What became of a rotation's Git delivery.
     *
     * @param git for the {@code packaged} event; {@code null} when the workflow has no Git delivery
     * @param failureCode {@code git-refused} or {@code git-unavailable} when there is no commit; {@code null} otherwise
     * @param failure why there is no commit, for a {@code failed} record; {@code null} when there is one
     */
    public record Outcome(RotationPackaged.GitDelivery git, String failureCode, String failure) {
        static final Outcome NONE = new Outcome(null, null, null);
    }
}

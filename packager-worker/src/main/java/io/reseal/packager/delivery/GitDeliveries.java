package io.reseal.packager.delivery;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.RetriableStageException;
import java.time.Clock;
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
 * {@link RetriableStageException} with code {@value #UNREACHABLE}, so the stage tries the whole event again
 * (storing the archive again is idempotent, and so is the commit); a refused one is an {@link Outcome} with a
 * failure message, so the archive and the e-mail still go out. Immutable, thread-safe.
 */
public final class GitDeliveries {

    /** Error code of a refused delivery (credentials, protected branch, missing repository). */
    public static final String REFUSED = "git-refused";
    /** Error code of a delivery that may pass (the server is unreachable or busy, the branch kept moving). */
    public static final String UNREACHABLE = "git-unavailable";

    private static final Logger LOG = LoggerFactory.getLogger(GitDeliveries.class);
    private static final GitDeliveries NONE = new GitDeliveries(Map.of());

    private final Map<String, GitRepositoryDelivery> byWorkflow;

    private GitDeliveries(Map<String, GitRepositoryDelivery> byWorkflow) {
        this.byWorkflow = Map.copyOf(byWorkflow);
    }

    /** No workflow delivers to Git. */
    public static GitDeliveries none() {
        return NONE;
    }

    /**
     * The deliveries of {@code workflows}, their credentials resolved now with {@code env}.
     *
     * @throws InvalidConfigException naming the workflow and the credential that cannot be resolved
     */
    public static GitDeliveries of(List<WorkflowConfig> workflows, Function<String, String> env, Clock clock) {
        Map<String, GitRepositoryDelivery> byWorkflow = new TreeMap<>();
        for (WorkflowConfig workflow : workflows) {
            workflow.gitDelivery().ifPresent(git -> {
                GitCredentials credentials;
                try {
                    credentials = GitCredentials.resolve(git.credentials(), env);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("workflows." + workflow.name() + ".delivery.git." + e.getMessage());
                }
                byWorkflow.put(workflow.name(), new GitRepositoryDelivery(git, credentials, clock));
            });
        }
        return new GitDeliveries(byWorkflow);
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
            RotationPackaged.GitDelivery commit = delivery.deliver(sealed, files.get());
            LOG.info("rotation {} of {} is commit {} on {} of {}", sealed.rotationId(), sealed.workflow(), commit.commit(),
                    commit.branch(), commit.repository());
            return new Outcome(commit, null);
        } catch (GitDeliveryException e) {
            if (e.passing()) {
                throw new RetriableStageException(UNREACHABLE, e.getMessage(), null);
            }
            LOG.warn("rotation {} of {} was not committed: {}", sealed.rotationId(), sealed.workflow(), e.getMessage());
            return new Outcome(new RotationPackaged.GitDelivery(delivery.repository(), delivery.branch(), null, null,
                    e.getMessage()),
                    e.getMessage());
        }
    }

    /**
     * What became of a rotation's Git delivery.
     *
     * @param git for the {@code packaged} event; {@code null} when the workflow has no Git delivery
     * @param failure why the commit was refused, for a {@code failed} record; {@code null} when it was not
     */
    public record Outcome(RotationPackaged.GitDelivery git, String failure) {
        static final Outcome NONE = new Outcome(null, null);
    }
}

package io.reseal.adoption;

import io.reseal.pipeline.event.AdoptionState;
import io.reseal.pipeline.event.RequestRules;
import java.time.Duration;

/**
 * The {@code adoption:} section of {@code reseal.yaml}. Immutable; validated on construction with messages that
 * name the field.
 *
 * @param complete the state every namespace must reach for a rotation's adoption to be complete:
 *     {@code rolled-out} (default) or {@code unsealed}
 * @param deadline how long after delivery adoption may take; then it ends with the namespaces still behind
 *     named (default 7 days)
 * @param resync how often the informers replay their whole cache, on top of the watch (default 10 minutes)
 * @param remindBefore how long before the deadline, or before the download link expires if that comes first, a
 *     namespace that has not applied the rotation is reminded by e-mail, once (default 1 day; {@code PT0S}: never)
 * @param leaderElection the Lease the watcher's replicas elect the one that watches and publishes with; {@code null}:
 *     this replica always does (run one)
 */
public record AdoptionConfig(AdoptionState complete, Duration deadline, Duration resync, Duration remindBefore,
        LeaderElection leaderElection) {

    public static final Duration DEFAULT_DEADLINE = Duration.ofDays(7);
    public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);
    public static final Duration DEFAULT_REMIND_BEFORE = Duration.ofDays(1);

    public AdoptionConfig {
        complete = complete == null ? AdoptionState.ROLLED_OUT : complete;
        if (complete != AdoptionState.ROLLED_OUT && complete != AdoptionState.UNSEALED) {
            throw new IllegalArgumentException("adoption.complete must be rolled-out or unsealed, not " + complete.wireName());
        }
        deadline = deadline == null ? DEFAULT_DEADLINE : deadline;
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("adoption.deadline must be positive");
        }
        resync = resync == null ? DEFAULT_RESYNC : resync;
        if (resync.isNegative()) {
            throw new IllegalArgumentException("adoption.resync must not be negative (0 turns resync off)");
        }
        remindBefore = remindBefore == null ? DEFAULT_REMIND_BEFORE : remindBefore;
        if (remindBefore.isNegative()) {
            throw new IllegalArgumentException("adoption.remindBefore must not be negative (0 turns reminders off)");
        }
    }

    public static AdoptionConfig defaults() {
        return new AdoptionConfig(null, null, null, null, null);
    }

    /**
     * {@code adoption.leaderElection}: a {@code coordination.k8s.io/v1} Lease in {@code namespace} of
     * {@code cluster} (one of {@code clusters}; default the first one, the "home" cluster Reseal runs in).
     */
    public record LeaderElection(String cluster, String namespace, String leaseName) {

        public static final String DEFAULT_LEASE = "reseal-adoption-watcher";

        public LeaderElection {
            if (namespace == null || !RequestRules.DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("adoption.leaderElection.namespace must be a DNS-1123 label");
            }
            leaseName = leaseName == null ? DEFAULT_LEASE : leaseName;
            if (!RequestRules.DNS_LABEL.matcher(leaseName).matches()) {
                throw new IllegalArgumentException("adoption.leaderElection.leaseName must be a DNS-1123 label");
            }
        }
    }
}

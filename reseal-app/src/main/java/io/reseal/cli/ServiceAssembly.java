package io.reseal.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.reseal.adoption.AdoptionConfig;
import io.reseal.adoption.AdoptionListener;
import io.reseal.adoption.AdoptionWatcher;
import io.reseal.adoption.DecryptionFailureMail;
import io.reseal.adoption.ReminderMail;
import io.reseal.cli.config.ResealConfig;
import io.reseal.notifier.NotifierMain;
import io.reseal.notifier.mail.Mailer;
import io.reseal.packager.PackagerMain;
import io.reseal.pipeline.leadership.Leadership;
import io.reseal.pipeline.leadership.LeaseLeadership;
import io.reseal.pipeline.service.RunningService;
import io.reseal.producer.ProducerMain;
import io.reseal.producer.RotationProducer;
import io.reseal.sealer.SealerMain;
import io.reseal.sealer.kube.ClusterAccess;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * How each service is built from the whole configuration file: which sections it reads and which module's
 * {@code *Main} starts it with which of them. The one wiring of the system: the service commands (one service
 * per process), {@code reseal local} and {@code reseal demo} (all four in one JVM) and the evidence tests use
 * it. Stateless.
 */
public final class ServiceAssembly {

    /** The sections of {@code reseal.yaml} the producer reads. */
    public static final Set<String> PRODUCER_SECTIONS = Set.of("kafka", "workflows", "api");

    /** The sections the adoption watcher reads: the clusters (checked as the sealer checks them), what to wait for, mail. */
    public static final Set<String> ADOPTION_SECTIONS = Set.of("kafka", "clusters", "bundles", "workflows", "issuers",
            "adoption", "smtp");

    private ServiceAssembly() {}

    /**
     * Starts the adoption watcher on {@code config}'s clusters; with an {@code smtp} section, a decryption failure and
     * the reminder to a namespace that has not applied are mailed to the namespace's contacts and the requestor; with {@code adoption.leaderElection}, only the replica
     * that holds the Lease watches and publishes. Stopping it gives up the Lease and closes the cluster clients and
     * the mailer.
     */
    public static RunningService adoption(ResealConfig config, Clock clock, MeterRegistry metrics) {
        ClusterAccess clusters = new ClusterAccess(config.sealer().clusters());
        Vertx vertx = config.smtp() == null ? null : Vertx.vertx();
        Mailer mailer = vertx == null ? null : new Mailer(vertx, config.smtp());
        AdoptionWatcher watcher = AdoptionWatcher.start(config.adoption(), config.kafka(), clusters::client, clock,
                Duration.ofSeconds(30), mailer == null ? AdoptionListener.NONE
                        : AdoptionListener.all(new DecryptionFailureMail(mailer), new ReminderMail(mailer)),
                metrics, adoptionLeadership(config, clusters));
        return RunningService.of(() -> {
            watcher.close();
            clusters.close();
            if (mailer != null) mailer.close();
            if (vertx != null) vertx.close();
        }, watcher::isRunning);
    }

    /** With {@code adoption.leaderElection}: a Lease in the home cluster (see {@link ResealConfig#adoptionLeaseCluster()}). */
    private static Leadership adoptionLeadership(ResealConfig config, ClusterAccess clusters) {
        AdoptionConfig.LeaderElection election = config.adoption().leaderElection();
        if (election == null) {
            return Leadership.always();
        }
        String identity = System.getenv().getOrDefault("HOSTNAME", "reseal-adoption-" + UUID.randomUUID());
        return new LeaseLeadership(clusters.client(config.adoptionLeaseCluster()), election.namespace(),
                election.leaseName(), identity, Duration.ofSeconds(15), "adoption");
    }

    /**
     * Starts the rotation-producer (API, scheduler) on {@code config}'s {@code api}, {@code kafka} and
     * {@code workflows}, with the token of {@code RESEAL_API_TOKEN} in {@code environment} if set.
     */
    public static RotationProducer producer(ResealConfig config, Function<String, String> environment, Clock clock) {
        return ProducerMain.start(config.api(), config.kafka(), config.workflows(), environment, clock);
    }

    /** The three workers: each reads its sections of the file and counts into the registry it is given. */
    public enum Worker {
        SEALER("sealer", Set.of("kafka", "clusters", "bundles", "workflows", "issuers")) {
            @Override
            public RunningService start(ResealConfig config, Function<String, String> environment, Clock clock,
                                        MeterRegistry metrics) {
                return SealerMain.start(config.sealer(), config.kafka(), environment, clock, metrics);
            }
        },
        PACKAGER("packager", Set.of("kafka", "s3", "workflows")) {
            @Override
            public RunningService start(ResealConfig config, Function<String, String> environment, Clock clock,
                                        MeterRegistry metrics) {
                return PackagerMain.start(config.packager(), config.workflows(), config.kafka(), environment, clock,
                        metrics);
            }
        },
        NOTIFIER("notifier", Set.of("kafka", "smtp")) {
            @Override
            public RunningService start(ResealConfig config, Function<String, String> environment, Clock clock,
                                        MeterRegistry metrics) {
                return NotifierMain.start(config.notifier(), config.kafka(), clock, metrics);
            }
        };

        private final String command;
        private final Set<String> sections;

        Worker(String command, Set<String> sections) {
            this.command = command;
            this.sections = sections;
        }

        /** The command that runs this worker as a process ({@code reseal sealer}, ...). */
        public String command() {
            return command;
        }

        /** The top-level sections of {@code reseal.yaml} this worker reads. */
        public Set<String> sections() {
            return sections;
        }

        /**
         * Starts the worker.
         *
         * @param environment where the sealer's {@code env:} value sources are looked up
         */
        public abstract RunningService start(ResealConfig config, Function<String, String> environment, Clock clock,
                                             MeterRegistry metrics);
    }
}

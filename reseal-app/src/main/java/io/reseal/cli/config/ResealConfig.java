package io.reseal.cli.config;

import io.reseal.adoption.AdoptionConfig;
import io.reseal.notifier.NotifierConfig;
import io.reseal.packager.PackagerConfig;
import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.producer.ProducerConfig;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.issuer.IssuerConfig;
import java.util.List;

/**
 * The whole of {@code reseal.yaml}. Every service reads the same file and takes its sections; a
 * section a service needs but the file lacks is reported when that service starts. Immutable.
 *
 * @param kafka connection and topics (defaults: {@code localhost:9092}, the contract's topic names)
 * @param clusters where subscribed namespaces live and where their sealing certificates come from
 * @param bundles named sets of keys sealed as one Secret
 * @param workflows teams' environments, bundles, requestor and schedule
 * @param api the rotation-producer's HTTP API (port, tokens as SHA-256 hashes)
 * @param s3 the packager's object store, link expiry and signing key
 * @param smtp the notifier's mail server
 * @param issuers systems that make credentials at their source for each rotation (the sealer's)
 * @param adoption what the adoption watcher waits for, and how long (defaults: rolled-out, 7 days)
 */
public record ResealConfig(
        KafkaConfig kafka,
        List<ClusterConfig> clusters,
        List<BundleConfig> bundles,
        List<WorkflowConfig> workflows,
        ProducerConfig api,
        PackagerConfig s3,
        NotifierConfig smtp,
        List<IssuerConfig> issuers,
        AdoptionConfig adoption) {

    public ResealConfig {
        kafka = kafka == null ? KafkaConfig.defaults() : kafka;
        clusters = clusters == null ? List.of() : List.copyOf(clusters);
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
        workflows = workflows == null ? List.of() : List.copyOf(workflows);
        api = api == null ? ProducerConfig.defaults() : api;
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        adoption = adoption == null ? AdoptionConfig.defaults() : adoption;
        if (!clusters.isEmpty() || !bundles.isEmpty()) {
            new SealerConfig(clusters, bundles, workflows, issuers); // cross-checks the sections now, not at first use
        }
        AdoptionConfig.LeaderElection election = adoption.leaderElection();
        if (election != null && (clusters.isEmpty() || (election.cluster() != null
                && clusters.stream().noneMatch(c -> c.name().equals(election.cluster()))))) {
            throw new IllegalArgumentException("adoption.leaderElection.cluster: " + (clusters.isEmpty()
                    ? "leader election needs a cluster in 'clusters:' to hold its Lease"
                    : "unknown cluster '" + election.cluster() + "'"));
        }
    }

    /** The cluster that holds the adoption watcher's Lease: {@code adoption.leaderElection.cluster}, or the first one. */
    public String adoptionLeaseCluster() {
        AdoptionConfig.LeaderElection election = adoption.leaderElection();
        return election.cluster() != null ? election.cluster() : clusters.get(0).name();
    }

    public SealerConfig sealer() {
        try {
            return new SealerConfig(clusters, bundles, workflows, issuers);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("the sealer cannot start: " + e.getMessage());
        }
    }

    public PackagerConfig packager() {
        if (s3 == null) throw new InvalidConfigException("the packager needs an 's3:' section (or S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY)");
        return s3;
    }

    public NotifierConfig notifier() {
        if (smtp == null) throw new InvalidConfigException("the notifier needs an 'smtp:' section (or SMTP_HOST, SMTP_FROM)");
        return smtp;
    }
}

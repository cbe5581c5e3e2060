package io.reseal.sealer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.ops.StageMetrics;
import io.reseal.pipeline.stage.StageService;
import io.reseal.sealer.crypto.HybridEncryption;
import io.reseal.sealer.issuer.AdoptionReports;
import io.reseal.sealer.issuer.AutoFinish;
import io.reseal.sealer.issuer.FinishStage;
import io.reseal.sealer.issuer.Issuer;
import io.reseal.sealer.issuer.IssuerHistory;
import io.reseal.sealer.issuer.IssuerSteps;
import io.reseal.sealer.issuer.Issuers;
import io.reseal.sealer.kube.CertificateSource;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.kube.KeyApprovals;
import io.reseal.sealer.kube.KeyRenewal;
import io.reseal.sealer.kube.SealingHistory;
import io.reseal.sealer.kube.NamespaceDiscovery;
import io.reseal.sealer.manifest.SecretSealer;
import io.reseal.sealer.values.ValueResolver;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sealer-worker service: the sealer stage in its consumer group, the finish stage of issued credentials in
 * its own ({@link FinishStage}), plus a periodic look at every
 * cluster's certificate that turns a renewed key into {@code key-renewal} rotations. Counts into the given
 * registry: the stage ({@link StageMetrics}) and, after each certificate check, the info metric
 * {@code reseal_sealer_certificate_info{cluster, fingerprint} 1} (one series per cluster, the fingerprint of
 * its current certificate) and {@code reseal_sealer_certificate_held{cluster, fingerprint} 1} (a URL's changed
 * certificate held for approval). {@link #close()} stops both and closes what it opened (not the given
 * {@link ClusterAccess}).
 */
public final class SealerWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SealerWorker.class);

    private final StageService service;
    private final StageService finisher;
    private final ScheduledExecutorService renewalChecks;
    private final Producer<String, byte[]> renewalProducer;
    private final ForkJoinPool pool;
    private final IssuerHistory history;
    private final AdoptionReports adoption;

    private SealerWorker(StageService service, StageService finisher, ScheduledExecutorService renewalChecks,
                         Producer<String, byte[]> renewalProducer, ForkJoinPool pool, IssuerHistory history,
                         AdoptionReports adoption) {
        this.service = service;
        this.finisher = finisher;
        this.renewalChecks = renewalChecks;
        this.renewalProducer = renewalProducer;
        this.pool = pool;
        this.history = history;
        this.adoption = adoption;
    }

    /**
     * @param environment where {@code env:} value sources are looked up ({@code System::getenv})
     */
    public static SealerWorker start(SealerConfig config, KafkaConfig kafka, ClusterAccess clusters,
                                     Function<String, String> environment, Clock clock, MeterRegistry metrics) {
        Producer<String, byte[]> producer = renewalProducer(kafka);
        EventCodec codec = new EventCodec();
        String requestedTopic = kafka.topicNames().of(EventType.REQUESTED);
        NamespaceDiscovery discovery = new NamespaceDiscovery(config, clusters);
        KeyRenewal renewal = new KeyRenewal(config, discovery, request -> publish(producer, codec, requestedTopic, request), clock);
        KeyApprovals approvals = new KeyApprovals(SealerStage.SOURCE, KeyApprovals.fromKafka(new KafkaClients(kafka),
                kafka.topicNames()), changed -> publish(producer, codec, kafka.topicNames().of(EventType.KEY_CHANGED), changed), clock);
        CertificateSource certificates = new CertificateSource(config.clusters(), clusters, clock, renewal::renewed, approvals);
        ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
        ValueResolver values = new ValueResolver(environment, clusters, config.clusters().get(0).name(), new SecureRandom());
        Map<String, Issuer> issuers = Issuers.of(config.issuers(), values, kafka);
        IssuerHistory history = IssuerHistory.fromKafka(new KafkaClients(kafka), kafka.topicNames());
        SealerStage stage = new SealerStage(config, discovery, certificates, values,
                new SecretSealer(new HybridEncryption(), clock), pool, new IssuerSteps(issuers, history, clock));
        StageService service;
        StageService finisher;
        try {
            // One read of the sealed topic: the ledger of sealed rotations, and the certificates they were sealed
            // with (the baseline against which a key renewed while the sealer was down is noticed).
            service = StageService.start(kafka, stage, EventType.SEALED, clock, new StageMetrics(metrics),
                    new SealingHistory(SealerStage.SOURCE, certificates)::accept);
            try {
                finisher = StageService.start(kafka, new FinishStage(issuers, history, clock), EventType.FINISHED, clock,
                        new StageMetrics(metrics));
            } catch (RuntimeException e) {
                service.close();
                throw e;
            }
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            pool.shutdown();
            history.close();
            throw e;
        }
        MultiGauge certificateInfo = MultiGauge.builder("reseal.sealer.certificate.info")
                .description("The SHA-256 fingerprint of each cluster's current sealing certificate (value always 1)")
                .register(metrics);
        MultiGauge heldCertificates = MultiGauge.builder("reseal.sealer.certificate.held")
                .description("A cluster's certificate from a URL that changed and awaits ./reseal approve-key (value always 1)")
                .register(metrics);
        ScheduledExecutorService checks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "reseal-certificate-check");
            thread.setDaemon(true);
            return thread;
        });
        long every = config.clusters().stream().map(c -> c.certificate().refresh()).min(Duration::compareTo)
                .orElse(Duration.ofMinutes(5)).toMillis();
        checks.scheduleWithFixedDelay(() -> {
            try {
                certificates.refreshAll();
            } catch (RetriableStageException | PermanentStageException e) {
                LOG.warn("certificate check: {}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("certificate check failed: {}", e.toString());
            }
            certificateInfo.register(certificates.fingerprints().entrySet().stream()
                    .map(c -> MultiGauge.Row.of(Tags.of("cluster", c.getKey(), "fingerprint", c.getValue()), 1))
                    .<MultiGauge.Row<?>>map(row -> row)
                    .toList(), true);
            heldCertificates.register(approvals.held().entrySet().stream()
                    .map(c -> MultiGauge.Row.of(Tags.of("cluster", c.getKey(), "fingerprint", c.getValue()), 1))
                    .<MultiGauge.Row<?>>map(row -> row)
                    .toList(), true);
        }, 0, every, TimeUnit.MILLISECONDS);
        AdoptionReports adoption = AdoptionReports.fromKafka(new KafkaClients(kafka), kafka.topicNames());
        AutoFinish autoFinish = new AutoFinish(config.issuers(), issuers, history, adoption,
                event -> publishOrThrow(producer, codec, kafka.topicNames().of(event.type()), event), clock);
        if (autoFinish.enabled()) {
            checks.scheduleWithFixedDelay(() -> {
                try {
                    autoFinish.check();
                } catch (RuntimeException e) {
                    LOG.warn("revokePrevious check failed: {}", e.toString());
                }
            }, autoFinish.checkEvery().toMillis(), autoFinish.checkEvery().toMillis(), TimeUnit.MILLISECONDS);
        }
        return new SealerWorker(service, finisher, checks, producer, pool, history, adoption);
    }

    /** Publishes a finish request or notice of the sealer's own; throws if Kafka did not take it (asked again later). */
    private static void publishOrThrow(Producer<String, byte[]> producer, EventCodec codec, String topic,
                                       RotationEvent<?> event) {
        try {
            producer.send(codec.toRecord(topic, event)).get(30, TimeUnit.SECONDS);
            LOG.info("published {} of rotation {} ({})", event.type().shortName(), event.rotationId(), event.subject());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing " + event.id());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not publish " + event.id() + ": " + e, e);
        }
    }

    private static Producer<String, byte[]> renewalProducer(KafkaConfig kafka) {
        return new KafkaClients(kafka).producer(null, Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "reseal-sealer-key-renewal"));
    }

    /**
     * Publishes an event of the sealer's own: a key-renewal rotation, or the announcement of a cluster's certificate
     * from a URL taken on first use or held for approval.
     */
    private static void publish(Producer<String, byte[]> producer, EventCodec codec, String topic,
                                RotationEvent<?> request) {
        try {
            producer.send(codec.toRecord(topic, request)).get(30, TimeUnit.SECONDS);
            LOG.info("published {} {} of {}", request.type() == EventType.KEY_CHANGED ? "announcement" : "key-renewal rotation",
                    request.type().isKey() ? request.id() : request.rotationId(), request.subject());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.error("could not request a key-renewal rotation of {}: {}", request.subject(), e.toString());
        }
    }

    public boolean isRunning() {
        return service.isRunning() && finisher.isRunning();
    }

    @Override
    public void close() {
        renewalChecks.shutdownNow();
        service.close();
        finisher.close();
        renewalProducer.close(Duration.ofSeconds(5));
        pool.shutdown();
        history.close();
        adoption.close();
    }
}

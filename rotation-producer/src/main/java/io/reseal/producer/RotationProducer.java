package io.reseal.producer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.stage.TopicBootstrap;
import io.reseal.pipeline.stage.Topics;
import io.reseal.producer.api.RotationApi;
import io.reseal.producer.publish.RequestPublisher;
import io.reseal.pipeline.leadership.LeaseLeadership;
import io.reseal.pipeline.leadership.Leadership;
import io.reseal.producer.schedule.RotationScheduler;
import io.reseal.producer.status.RotationStatusView;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rotation-producer service: creates missing topics, then runs the Kafka publisher, the status view,
 * the HTTP API and the scheduler. {@link #start} returns once the API listens; {@link #close()} stops all of
 * them in reverse order and is idempotent. Leader election for the scheduler uses a Kubernetes Lease when
 * {@link ProducerConfig#leaderElection()} is set; otherwise this instance fires schedules.
 */
public final class RotationProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RotationProducer.class);

    private final List<AutoCloseable> started = new ArrayList<>();
    private final RotationScheduler scheduler;
    private final RotationStatusView view;
    private final int port;

    private RotationProducer(ProducerConfig config, KafkaConfig kafka, List<WorkflowConfig> workflows, Clock clock) {
        KafkaClients clients = new KafkaClients(kafka);
        Topics topics = kafka.topicNames();
        try {
            TopicBootstrap.ensure(clients, topics, kafka.partitions(), kafka.replicationFactor());
            ProducerMetrics metrics = new ProducerMetrics();
            RequestPublisher publisher = remember(new RequestPublisher(clients, topics, "reseal-producer"));
            view = remember(new RotationStatusView(clients, topics, clock, metrics::rotationRequested));
            view.start();
            metrics.watch(view, workflows, clock);

            Vertx vertx = Vertx.vertx();
            remember(() -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
            int[] bound = {config.port()};
            RotationApi api = remember(new RotationApi(vertx, config, workflows, clients, publisher, view, metrics,
                    clock, () -> config.statusBase(bound[0])));
            HttpServer server = vertx.createHttpServer().requestHandler(api.router()).listen(config.port(), config.bindAddress())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            bound[0] = server.actualPort();
            port = server.actualPort();

            scheduler = remember(new RotationScheduler(workflows, clients, topics.of(EventType.REQUESTED), publisher,
                    leadership(config), clock, metrics));
            scheduler.start();
            LOG.info("rotation-producer listening on {}:{} ({} token(s), {} workflow(s))", config.bindAddress(), port,
                    config.tokens().size(), workflows.size());
        } catch (Exception e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start rotation-producer: "
                    + e.getMessage(), e);
        }
    }

    /** Starts the service; on failure everything already started is stopped again. */
    public static RotationProducer start(ProducerConfig config, KafkaConfig kafka, List<WorkflowConfig> workflows,
                                         Clock clock) {
        return new RotationProducer(config, kafka, workflows, clock);
    }

    private Leadership leadership(ProducerConfig config) {
        if (config.leaderElection() == null) {
            return Leadership.always();
        }
        KubernetesClient client = remember(new KubernetesClientBuilder().build());
        String identity = System.getenv().getOrDefault("HOSTNAME", "reseal-producer-" + UUID.randomUUID());
        return new LeaseLeadership(client, config.leaderElection().namespace(), config.leaderElection().leaseName(),
                identity, Duration.ofSeconds(15));
    }

    private <T extends AutoCloseable> T remember(T resource) {
        started.add(resource);
        return resource;
    }

    /** The port the API listens on (useful when configured as 0). */
    public int port() {
        return port;
    }

    /** The scheduler, e.g. to {@link RotationScheduler#tick() tick} it right after moving an injected clock. */
    public RotationScheduler scheduler() {
        return scheduler;
    }

    /** Whether the status view has read the stage topics up to where they ended at start. */
    public boolean statusLoaded() {
        return view.loaded();
    }

    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("while stopping rotation-producer: {}", e.toString());
            }
        }
        started.clear();
    }
}

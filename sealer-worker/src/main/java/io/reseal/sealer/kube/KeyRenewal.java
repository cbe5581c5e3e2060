package io.reseal.sealer.kube;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationIds;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.SealerConfig;
import io.reseal.sealer.crypto.SealingCertificate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a cluster's new sealing certificate into {@code key-renewal} rotation requests: one per workflow
 * with a subscribed namespace in that cluster, limited to those environments. Event and rotation ids
 * are derived from cluster, fingerprint and workflow ({@link RotationIds#keyRenewal}), so replicas and repeats of the same renewal are
 * one rotation downstream (the sealer ignores a rotation it already sealed). Thread-safe.
 */
public final class KeyRenewal {

    private static final Logger LOG = LoggerFactory.getLogger(KeyRenewal.class);
    private static final String SOURCE = "/reseal/sealer-worker/key-renewal";

    private final SealerConfig config;
    private final NamespaceDiscovery discovery;
    private final Consumer<RotationEvent<RotationRequested>> publisher;
    private final Clock clock;

    /** @param publisher sends a request to the requested topic and returns once Kafka acknowledged it */
    public KeyRenewal(SealerConfig config, NamespaceDiscovery discovery, Consumer<RotationEvent<RotationRequested>> publisher,
                      Clock clock) {
        this.config = config;
        this.discovery = discovery;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** Called when {@code cluster}'s certificate fingerprint changed to {@code certificate}'s. */
    public void renewed(String cluster, SealingCertificate certificate) {
        LOG.info("sealing certificate of cluster {} changed to {}; requesting key-renewal rotations", cluster,
                certificate.fingerprint());
        for (RotationEvent<RotationRequested> request : requestsFor(cluster, certificate.fingerprint())) {
            publisher.accept(request);
        }
    }

    List<RotationEvent<RotationRequested>> requestsFor(String cluster, String fingerprint) {
        List<RotationEvent<RotationRequested>> requests = new ArrayList<>();
        for (WorkflowConfig workflow : config.workflows()) {
            List<String> environments;
            try {
                environments = discovery.subscriptions(workflow.name()).stream()
                        .filter(s -> s.cluster().equals(cluster))
                        .map(Subscription::environment)
                        .distinct()
                        .toList();
            } catch (RetriableStageException | PermanentStageException e) {
                LOG.warn("key renewal of cluster {}: cannot list the namespaces of workflow {}: {}", cluster,
                        workflow.name(), e.getMessage());
                continue;
            }
            if (environments.isEmpty() || workflow.requestor() == null) {
                continue;
            }
            String rotationId = RotationIds.keyRenewal(cluster, fingerprint, workflow.name());
            RotationRequested data = new RotationRequested(workflow.name(), environments, List.of(), workflow.requestor(),
                    "the sealing certificate of cluster " + cluster + " changed (now " + fingerprint.substring(0, 16) + "...)",
                    Trigger.KEY_RENEWAL, null);
            requests.add(RotationEvent.forRotation(rotationId, EventType.REQUESTED, SOURCE, workflow.name(),
                    OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), data));
        }
        return requests;
    }
}

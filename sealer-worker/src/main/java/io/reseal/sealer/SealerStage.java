package io.reseal.sealer;

import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.StageHandler;
import io.reseal.sealer.crypto.SealingCertificate;
import io.reseal.sealer.kube.CertificateSource;
import io.reseal.sealer.kube.NamespaceDiscovery;
import io.reseal.sealer.kube.Subscription;
import io.reseal.sealer.manifest.SecretSealer;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.ValueResolver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;

/**
 * The sealer: turns a rotation request into SealedSecrets for every subscribed namespace, each sealed
 * with its own cluster's certificate. Values are resolved once per rotation (so every namespace gets the
 * same generated credential), sealed in parallel, and wiped before this method returns; the output event
 * carries ciphertext and names only. A request that can never be served (unknown workflow, environment
 * or bundle) fails as a whole: no partial package is made. Called from one thread at a time.
 */
public final class SealerStage implements StageHandler {

    public static final String SOURCE = "/reseal/sealer-worker";

    private final SealerConfig config;
    private final NamespaceDiscovery discovery;
    private final CertificateSource certificates;
    private final ValueResolver values;
    private final SecretSealer sealer;
    private final ForkJoinPool pool;

    /** @param pool where sealing runs in parallel (its size decides how many cores a large fan-out uses) */
    public SealerStage(SealerConfig config, NamespaceDiscovery discovery, CertificateSource certificates,
                       ValueResolver values, SecretSealer sealer, ForkJoinPool pool) {
        this.config = config;
        this.discovery = discovery;
        this.certificates = certificates;
        this.values = values;
        this.sealer = sealer;
        this.pool = pool;
    }

    @Override
    public String stage() {
        return "sealer";
    }

    @Override
    public EventType consumes() {
        return EventType.REQUESTED;
    }

    @Override
    public List<RotationEvent<?>> handle(RotationEvent<?> event) throws RetriableStageException, PermanentStageException {
        RotationRequested request = event.dataAs(RotationRequested.class);
        RequestRules.FieldError invalid = RequestRules.check(request).orElse(null);
        if (invalid != null) {
            throw new PermanentStageException("invalid-request", invalid.field() + ": " + invalid.message());
        }
        List<Subscription> targets = targets(request, discovery.subscriptions(request.workflow()));
        Map<String, BundleConfig> bundles = bundlesOf(targets);
        Map<String, Map<String, SecretValue>> resolved = new LinkedHashMap<>();
        try {
            for (BundleConfig bundle : bundles.values()) {
                resolved.put(bundle.name(), values.resolve(bundle));
            }
            Map<String, SealingCertificate> certificateOf = new LinkedHashMap<>();
            for (Subscription target : targets) {
                if (!certificateOf.containsKey(target.cluster())) {
                    certificateOf.put(target.cluster(), certificates.current(target.cluster()));
                }
            }
            List<RotationSealed.Environment> environments = seal(event.rotationId(), targets, bundles, resolved, certificateOf);
            RotationSealed sealed = new RotationSealed(event.rotationId(), request.workflow(), request.requestor(),
                    request.trigger(), request.reason(), event.time().toInstant(), environments);
            return List.of(RotationEvent.forRotation(event.rotationId(), EventType.SEALED, SOURCE, request.workflow(),
                    event.time(), sealed));
        } finally {
            resolved.values().forEach(map -> map.values().forEach(SecretValue::destroy));
        }
    }

    /** The subscriptions this request covers, or why it cannot be served. */
    private List<Subscription> targets(RotationRequested request, List<Subscription> subscriptions) throws PermanentStageException {
        String workflow = request.workflow();
        if (subscriptions.isEmpty()) {
            if (config.workflow(workflow).isEmpty()) {
                throw new PermanentStageException("unknown-workflow", "unknown workflow '" + workflow
                        + "': it is not configured and no namespace is labelled reseal.io/workflow=" + workflow);
            }
            throw new PermanentStageException("no-subscribed-namespace", "workflow '" + workflow + "' has no subscribed namespace");
        }
        Map<String, Subscription> byEnvironment = new LinkedHashMap<>();
        for (Subscription subscription : subscriptions) {
            Subscription other = byEnvironment.put(subscription.environment(), subscription);
            if (other != null) {
                throw new PermanentStageException("ambiguous-environment", "environment '" + subscription.environment()
                        + "' of workflow '" + workflow + "' is subscribed twice: " + other.namespace() + " in "
                        + other.cluster() + " and " + subscription.namespace() + " in " + subscription.cluster());
            }
        }
        List<Subscription> chosen = new ArrayList<>();
        if (request.environments().isEmpty()) {
            chosen.addAll(byEnvironment.values());
        } else {
            for (String env : request.environments()) {
                Subscription subscription = byEnvironment.get(env);
                if (subscription == null) {
                    throw new PermanentStageException("no-subscribed-namespace", "environment '" + env + "' of workflow '"
                            + workflow + "' has no subscribed namespace (known: " + String.join(", ", byEnvironment.keySet()) + ")");
                }
                chosen.add(subscription);
            }
        }
        if (request.bundles().isEmpty()) {
            return chosen;
        }
        Set<String> requested = new LinkedHashSet<>(request.bundles());
        for (String bundle : requested) {
            if (config.bundle(bundle).isEmpty()) {
                throw new PermanentStageException("unknown-bundle", "unknown bundle '" + bundle + "'");
            }
            if (chosen.stream().noneMatch(s -> s.bundles().contains(bundle))) {
                throw new PermanentStageException("unknown-bundle", "no requested environment of workflow '" + workflow
                        + "' receives bundle '" + bundle + "'");
            }
        }
        return chosen.stream()
                .map(s -> new Subscription(s.environment(), s.namespace(), s.cluster(),
                        s.bundles().stream().filter(requested::contains).toList(), s.contacts()))
                .filter(s -> !s.bundles().isEmpty())
                .toList();
    }

    private Map<String, BundleConfig> bundlesOf(List<Subscription> targets) throws PermanentStageException {
        Map<String, BundleConfig> bundles = new LinkedHashMap<>();
        for (Subscription target : targets) {
            for (String name : target.bundles()) {
                BundleConfig bundle = config.bundle(name).orElseThrow(() -> new PermanentStageException("unknown-bundle",
                        "namespace " + target.namespace() + " subscribes to unknown bundle '" + name + "'"));
                bundles.put(name, bundle);
            }
        }
        if (bundles.isEmpty()) {
            throw new PermanentStageException("no-bundle", "the requested environments receive no bundle");
        }
        return bundles;
    }

    private List<RotationSealed.Environment> seal(String rotationId, List<Subscription> targets, Map<String, BundleConfig> bundles,
                                                  Map<String, Map<String, SecretValue>> resolved,
                                                  Map<String, SealingCertificate> certificateOf) {
        try {
            return pool.submit(() -> targets.parallelStream()
                    .map(target -> new RotationSealed.Environment(target.environment(), target.namespace(), target.cluster(),
                            certificateOf.get(target.cluster()).fingerprint(), target.contacts(),
                            target.bundles().stream().map(name -> {
                                BundleConfig bundle = bundles.get(name);
                                String manifest = sealer.sealToYaml(rotationId, target.namespace(), bundle.secretName(),
                                        bundle.type(), bundle.scope(), resolved.get(name), certificateOf.get(target.cluster()));
                                return new RotationSealed.Secret(bundle.secretName(), bundle.type(), bundle.scope(),
                                        List.copyOf(bundle.keys().keySet()), manifest);
                            }).collect(Collectors.toList())))
                    .collect(Collectors.toList())).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sealing", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) throw runtime;
            throw new IllegalStateException(e.getCause());
        }
    }
}

package io.reseal.sealer;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.StageHandler;
import io.reseal.sealer.crypto.SealingCertificate;
import io.reseal.sealer.issuer.IssuerSteps;
import io.reseal.sealer.kube.CertificateSource;
import io.reseal.sealer.kube.EnvironmentClaims;
import io.reseal.sealer.kube.NamespaceDiscovery;
import io.reseal.sealer.kube.RotationIdProof;
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
    private final IssuerSteps issuers;

    /** A sealer whose bundles take no values from issuers. */
    public SealerStage(SealerConfig config, NamespaceDiscovery discovery, CertificateSource certificates,
                       ValueResolver values, SecretSealer sealer, ForkJoinPool pool) {
        this(config, discovery, certificates, values, sealer, pool, IssuerSteps.none());
    }

    /**
     * @param issuers creates and tests the pending credentials of the issuers the bundles take values from
     * @param pool where sealing runs in parallel (its size decides how many cores a large fan-out uses) */
    public SealerStage(SealerConfig config, NamespaceDiscovery discovery, CertificateSource certificates,
                       ValueResolver values, SecretSealer sealer, ForkJoinPool pool, IssuerSteps issuers) {
        this.config = config;
        this.discovery = discovery;
        this.certificates = certificates;
        this.values = values;
        this.sealer = sealer;
        this.pool = pool;
        this.issuers = issuers;
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
            throw new PermanentStageException(ErrorCode.INVALID_REQUEST, invalid.field() + ": " + invalid.message());
        }
        EnvironmentClaims claims = EnvironmentClaims.of(request.workflow(), discovery.subscriptions(request.workflow()));
        List<Subscription> targets = targets(request, claims);
        RotationIdProof.check(event, request, targets, certificates);
        Map<String, BundleConfig> bundles = bundlesOf(targets);
        Map<String, Map<String, SecretValue>> resolved = new LinkedHashMap<>();
        Map<String, SealingCertificate> certificateOf = new LinkedHashMap<>();
        for (Subscription target : targets) {
            if (!certificateOf.containsKey(target.cluster())) {
                certificateOf.put(target.cluster(), certificates.current(target.cluster()));
            }
        }
        // Issuers last: everything that can refuse the request has been checked before a credential is made.
        try (IssuerSteps.Issued issued = issuers.createAndTest(event.rotationId(), bundles.values())) {
            for (BundleConfig bundle : bundles.values()) {
                resolved.put(bundle.name(), values.resolve(bundle, issued.credentials()));
            }
            List<RotationSealed.Environment> environments = seal(event.rotationId(), targets, bundles, resolved, certificateOf);
            RotationSealed sealed = new RotationSealed(event.rotationId(), request.workflow(), request.requestor(),
                    request.trigger(), request.reason(), event.time().toInstant(), environments, issued.versions());
            List<RotationEvent<?>> outputs = new ArrayList<>();
            outputs.add(RotationEvent.forRotation(event.rotationId(), EventType.SEALED, SOURCE, request.workflow(),
                    event.time(), sealed));
            outputs.addAll(claims.failures(stage(), SOURCE, event, request.environments()));
            return outputs;
        } finally {
            resolved.values().forEach(map -> map.values().forEach(SecretValue::destroy));
        }
    }

    /** The subscriptions this request covers, or why it cannot be served. */
    private List<Subscription> targets(RotationRequested request, EnvironmentClaims claims) throws PermanentStageException {
        String workflow = request.workflow();
        List<Subscription> subscriptions = claims.unique();
        List<String> conflicted = request.environments().isEmpty() ? List.copyOf(claims.conflicts().keySet())
                : request.environments().stream().filter(claims.conflicts()::containsKey).toList();
        if (subscriptions.isEmpty() && claims.conflicts().isEmpty()) {
            if (config.workflow(workflow).isEmpty()) {
                throw new PermanentStageException(ErrorCode.UNKNOWN_WORKFLOW, "unknown workflow '" + workflow
                        + "': it is not configured and no namespace is labelled reseal.io/workflow=" + workflow);
            }
            throw new PermanentStageException(ErrorCode.NO_SUBSCRIBED_NAMESPACE, "workflow '" + workflow + "' has no subscribed namespace");
        }
        if (!conflicted.isEmpty() && (subscriptions.isEmpty() || conflicted.size() == request.environments().size())) {
            throw new PermanentStageException(EnvironmentClaims.CONFLICT, conflicted.stream()
                    .map(claims.conflicts()::get).collect(Collectors.joining("; ")));
        }
        Map<String, Subscription> byEnvironment = new LinkedHashMap<>();
        subscriptions.forEach(subscription -> byEnvironment.put(subscription.environment(), subscription));
        List<Subscription> chosen = new ArrayList<>();
        if (request.environments().isEmpty()) {
            chosen.addAll(byEnvironment.values());
        } else {
            for (String env : request.environments()) {
                if (claims.conflicts().containsKey(env)) {
                    continue; // reported on the failed topic; the other environments proceed
                }
                Subscription subscription = byEnvironment.get(env);
                if (subscription == null) {
                    throw new PermanentStageException(ErrorCode.NO_SUBSCRIBED_NAMESPACE, "environment '" + env + "' of workflow '"
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
                throw new PermanentStageException(ErrorCode.UNKNOWN_BUNDLE, "unknown bundle '" + bundle + "'");
            }
            if (chosen.stream().noneMatch(s -> s.bundles().contains(bundle))) {
                throw new PermanentStageException(ErrorCode.UNKNOWN_BUNDLE, "no requested environment of workflow '" + workflow
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
                BundleConfig bundle = config.bundle(name).orElseThrow(() -> new PermanentStageException(ErrorCode.UNKNOWN_BUNDLE,
                        "namespace " + target.namespace() + " subscribes to unknown bundle '" + name + "'"));
                bundles.put(name, bundle);
            }
        }
        if (bundles.isEmpty()) {
            throw new PermanentStageException(ErrorCode.NO_BUNDLE, "the requested environments receive no bundle");
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

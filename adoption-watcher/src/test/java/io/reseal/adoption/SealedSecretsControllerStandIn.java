package io.reseal.adoption;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.reseal.adoption.kube.NamespaceInformers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A STAND-IN for the sealed-secrets controller (which cannot run here: no Docker, no Go toolchain). It follows
 * what bitnami-labs/sealed-secrets {@code pkg/controller/controller.go} does on the API: it watches SealedSecrets
 * in every namespace; for each one it can open it creates or updates the Secret of the same name, owned by the
 * SealedSecret ({@code controller: true}), with the template's labels, annotations and type, and sets
 * {@code status.conditions[type=Synced]} to {@code True}; for one it cannot open it writes no Secret and sets
 * {@code Synced=False} with the controller's message ({@code no key could decrypt secret (<keys>)}). Either way
 * {@code status.observedGeneration} becomes {@code metadata.generation}, {@code lastUpdateTime} is now, and
 * {@code lastTransitionTime} moves only when the status flips; status is written only when it changes.
 *
 * <p>It does not decrypt: which namespaces it "holds no key for" is given, and the Secret's values are
 * placeholders. Decryption itself is checked against the reference implementation's golden vectors in the
 * sealer. Test code only.
 */
final class SealedSecretsControllerStandIn implements AutoCloseable {

    private final KubernetesClient client;
    private final Set<String> undecryptableNamespaces;
    private final Clock clock;
    private final SharedIndexInformer<GenericKubernetesResource> informer;

    SealedSecretsControllerStandIn(KubernetesClient client, Set<String> undecryptableNamespaces, Clock clock) {
        this.client = client;
        this.undecryptableNamespaces = Set.copyOf(undecryptableNamespaces);
        this.clock = clock;
        this.informer = client.genericKubernetesResources(NamespaceInformers.SEALED_SECRETS).inAnyNamespace()
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource obj) {
                        reconcile(obj);
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                        reconcile(newObj);
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource obj, boolean unknown) {}
                });
    }

    @SuppressWarnings("unchecked")
    private synchronized void reconcile(GenericKubernetesResource sealed) {
        String namespace = sealed.getMetadata().getNamespace();
        String name = sealed.getMetadata().getName();
        Map<String, Object> spec = (Map<String, Object>) sealed.getAdditionalProperties().get("spec");
        Map<String, Object> encrypted = (Map<String, Object>) spec.getOrDefault("encryptedData", Map.of());
        String error = null;
        if (undecryptableNamespaces.contains(namespace)) {
            error = "no key could decrypt secret (" + String.join(", ", new TreeMap<>(encrypted).keySet()) + ")";
        } else {
            writeSecret(sealed, spec, encrypted);
        }
        updateStatus(sealed, error);
    }

    @SuppressWarnings("unchecked")
    private void writeSecret(GenericKubernetesResource sealed, Map<String, Object> spec, Map<String, Object> encrypted) {
        Map<String, Object> template = (Map<String, Object>) spec.getOrDefault("template", Map.of());
        Map<String, Object> meta = (Map<String, Object>) template.getOrDefault("metadata", Map.of());
        Map<String, String> data = new LinkedHashMap<>();
        encrypted.keySet().forEach(key -> data.put(key,
                Base64.getEncoder().encodeToString(("stand-in value of " + key).getBytes(StandardCharsets.UTF_8))));
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withName(sealed.getMetadata().getName())
                .withNamespace(sealed.getMetadata().getNamespace())
                .withLabels((Map<String, String>) meta.get("labels"))
                .withAnnotations((Map<String, String>) meta.get("annotations"))
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("bitnami.com/v1alpha1")
                        .withKind("SealedSecret").withName(sealed.getMetadata().getName())
                        .withUid(sealed.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withType((String) template.getOrDefault("type", "Opaque"))
                .withData(data)
                .build();
        client.secrets().inNamespace(sealed.getMetadata().getNamespace()).resource(secret).createOr(c -> c.update());
    }

    @SuppressWarnings("unchecked")
    private void updateStatus(GenericKubernetesResource sealed, String error) {
        Map<String, Object> status = (Map<String, Object>) sealed.getAdditionalProperties().get("status");
        Map<String, Object> old = null;
        if (status != null && status.get("conditions") instanceof List<?> conditions) {
            old = conditions.stream().map(c -> (Map<String, Object>) c)
                    .filter(c -> "Synced".equals(c.get("type"))).findFirst().orElse(null);
        }
        String wanted = error == null ? "True" : "False";
        Long generation = sealed.getMetadata().getGeneration();
        Object observed = status == null ? null : status.get("observedGeneration");
        boolean sameGeneration = generation == null ? observed == null
                : observed instanceof Number n && n.longValue() == generation;
        if (old != null && wanted.equals(old.get("status")) && sameGeneration) {
            return;
        }
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", "Synced");
        condition.put("status", wanted);
        if (error != null) {
            condition.put("message", error);
        }
        condition.put("lastUpdateTime", now);
        condition.put("lastTransitionTime",
                old != null && wanted.equals(old.get("status")) ? old.get("lastTransitionTime") : now);
        Map<String, Object> newStatus = new LinkedHashMap<>();
        newStatus.put("conditions", new ArrayList<>(List.of(condition)));
        if (generation != null) {
            newStatus.put("observedGeneration", generation);
        }
        GenericKubernetesResource latest = client.genericKubernetesResources(NamespaceInformers.SEALED_SECRETS)
                .inNamespace(sealed.getMetadata().getNamespace()).withName(sealed.getMetadata().getName()).get();
        latest.getAdditionalProperties().put("status", newStatus);
        client.genericKubernetesResources(NamespaceInformers.SEALED_SECRETS)
                .inNamespace(sealed.getMetadata().getNamespace()).resource(latest).updateStatus();
    }

    @Override
    public void close() {
        informer.stop();
    }
}

package io.reseal.packager.archive;

import io.reseal.pipeline.event.RotationSealed;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code secret-reference-template.yaml}: per environment, a Deployment that takes whole Opaque secrets
 * with {@code envFrom}, and a Pod that picks single keys with {@code secretKeyRef}; both pull images with
 * the registry secrets ({@code kubernetes.io/dockerconfigjson}). Built from secret and key names only.
 * It is an example for the receiving team and not part of any kustomization.
 */
final class ReferenceTemplate {

    static final String FILE = "secret-reference-template.yaml";

    private static final String OPAQUE = "Opaque";
    private static final List<String> REGISTRY_TYPES = List.of("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg");

    private ReferenceTemplate() {
    }

    static String render(RotationSealed sealed) {
        List<Object> documents = new ArrayList<>();
        for (RotationSealed.Environment environment : sealed.environments()) {
            documents.add(deployment(sealed.workflow(), environment));
            documents.add(pod(sealed.workflow(), environment));
        }
        return "# How workloads use the secrets of this package (an example: edit, then apply it yourself).\n"
                + "# Deployment: whole Opaque secrets as environment variables (envFrom).\n"
                + "# Pod: single keys (secretKeyRef). Both: registry secrets as imagePullSecrets.\n"
                + PackageYaml.writeAll(documents);
    }

    private static Map<String, Object> deployment(String workflow, RotationSealed.Environment environment) {
        String name = workflow + "-example";
        Map<String, Object> container = container(workflow);
        List<Object> envFrom = new ArrayList<>();
        for (RotationSealed.Secret secret : environment.secrets()) {
            if (OPAQUE.equals(secret.type())) {
                envFrom.add(Map.of("secretRef", Map.of("name", secret.name())));
            }
        }
        if (!envFrom.isEmpty()) {
            container.put("envFrom", envFrom);
        }
        Map<String, Object> podSpec = podSpec(environment, container);

        Map<String, Object> template = new LinkedHashMap<>();
        template.put("metadata", Map.of("labels", Map.of("app", name)));
        template.put("spec", podSpec);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", 1);
        spec.put("selector", Map.of("matchLabels", Map.of("app", name)));
        spec.put("template", template);

        Map<String, Object> metadata = metadata(name, environment);
        metadata.put("annotations", Map.of("reloader.stakater.com/auto", "true"));
        Map<String, Object> deployment = new LinkedHashMap<>();
        deployment.put("apiVersion", "apps/v1");
        deployment.put("kind", "Deployment");
        deployment.put("metadata", metadata);
        deployment.put("spec", spec);
        return deployment;
    }

    private static Map<String, Object> pod(String workflow, RotationSealed.Environment environment) {
        Map<String, Object> container = container(workflow);
        List<Object> env = new ArrayList<>();
        for (RotationSealed.Secret secret : environment.secrets()) {
            if (REGISTRY_TYPES.contains(secret.type())) {
                continue;
            }
            for (String key : secret.keys()) {
                Map<String, Object> secretKeyRef = new LinkedHashMap<>();
                secretKeyRef.put("name", secret.name());
                secretKeyRef.put("key", key);
                Map<String, Object> variable = new LinkedHashMap<>();
                variable.put("name", environmentVariableName(key));
                variable.put("valueFrom", Map.of("secretKeyRef", secretKeyRef));
                env.add(variable);
            }
        }
        if (!env.isEmpty()) {
            container.put("env", env);
        }
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.put("metadata", metadata(workflow + "-single-keys-example", environment));
        pod.put("spec", podSpec(environment, container));
        return pod;
    }

    private static Map<String, Object> metadata(String name, RotationSealed.Environment environment) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("namespace", environment.namespace());
        metadata.put("labels", Map.of("reseal.io/environment", environment.name()));
        return metadata;
    }

    private static Map<String, Object> container(String workflow) {
        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "app");
        container.put("image", "registry.example.com/" + workflow + ":latest");
        return container;
    }

    private static Map<String, Object> podSpec(RotationSealed.Environment environment, Map<String, Object> container) {
        List<Object> pullSecrets = new ArrayList<>();
        for (RotationSealed.Secret secret : environment.secrets()) {
            if (REGISTRY_TYPES.contains(secret.type())) {
                pullSecrets.add(Map.of("name", secret.name()));
            }
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        if (!pullSecrets.isEmpty()) {
            spec.put("imagePullSecrets", pullSecrets);
        }
        spec.put("containers", List.of(container));
        return spec;
    }

    /** A key as an environment variable name: upper case, anything but letters, digits and '_' becomes '_'. */
    private static String environmentVariableName(String key) {
        String name = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
        return Character.isDigit(name.charAt(0)) ? "_" + name : name;
    }
}

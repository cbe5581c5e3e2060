package io.reseal.packager.archive;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An environment folder's {@code kustomization.yaml}: the folder's namespace and exactly its manifests. */
final class Kustomization {

    static final String FILE = "kustomization.yaml";

    private Kustomization() {
    }

    /** @param resources the manifest file names of the folder, sorted */
    static String render(String namespace, List<String> resources) {
        Map<String, Object> kustomization = new LinkedHashMap<>();
        kustomization.put("apiVersion", "kustomize.config.k8s.io/v1beta1");
        kustomization.put("kind", "Kustomization");
        kustomization.put("namespace", namespace);
        kustomization.put("resources", resources);
        return PackageYaml.write(kustomization);
    }
}

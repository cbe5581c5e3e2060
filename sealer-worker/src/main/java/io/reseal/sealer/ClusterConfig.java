package io.reseal.sealer;

import io.reseal.pipeline.event.RequestRules;
import java.time.Duration;

/**
 * One Kubernetes cluster whose sealed-secrets controller receives packages.
 *
 * @param name how workflows refer to it
 * @param context the kubeconfig context to use; {@code null} for the current context or in-cluster config
 * @param discover find subscribed namespaces in the cluster by their {@code reseal.io/*} labels
 *     (needs API access); otherwise subscriptions come from the workflows in the config file
 * @param certificate where the controller's sealing certificate comes from
 */
public record ClusterConfig(String name, String context, Boolean discover, CertificateConfig certificate) {

    public ClusterConfig {
        if (name == null || !RequestRules.DNS_LABEL.matcher(name).matches()) {
            throw new IllegalArgumentException("clusters: name '" + RequestRules.printable(name) + "' is not a DNS-1123 label");
        }
        discover = discover != null && discover;
        if (certificate == null) {
            throw new IllegalArgumentException("clusters." + name + ".certificate is required (file, url or controller)");
        }
    }

    /**
     * Where a cluster's sealing certificate comes from: exactly one of a PEM file, an http(s) URL, or the
     * controller through the API server's service proxy (what {@code kubeseal --fetch-cert} does).
     *
     * @param refresh how long a fetched certificate is trusted before it is fetched again (default 5 minutes)
     */
    public record CertificateConfig(String file, String url, ControllerRef controller, Duration refresh) {

        public CertificateConfig {
            int given = (file != null ? 1 : 0) + (url != null ? 1 : 0) + (controller != null ? 1 : 0);
            if (given != 1) {
                throw new IllegalArgumentException("certificate needs exactly one of file, url, controller");
            }
            if (url != null && !(url.startsWith("https://") || url.startsWith("http://"))) {
                throw new IllegalArgumentException("certificate.url must be an http or https URL");
            }
            refresh = refresh == null ? Duration.ofMinutes(5) : refresh;
        }
    }

    /** The sealed-secrets controller's Service, by default {@code kube-system/sealed-secrets-controller}. */
    public record ControllerRef(String namespace, String name) {

        public ControllerRef {
            namespace = namespace == null ? "kube-system" : namespace;
            name = name == null ? "sealed-secrets-controller" : name;
        }
    }
}

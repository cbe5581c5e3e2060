package io.reseal.sealer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.reseal.pipeline.event.CertificateFingerprint;
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
        if (certificate instanceof CertificateConfig.FromUrl url && url.url().startsWith("http://") && !url.insecure()) {
            throw new IllegalArgumentException("clusters." + name + ".certificate.url is plain http, where anyone on the"
                    + " way can swap the certificate: use https, or set insecure: true to accept that");
        }
    }

    /**
     * Where a cluster's sealing certificate comes from: exactly one of a PEM file, an https URL, or the
     * controller through the API server's service proxy (what {@code kubeseal --fetch-cert} does), told apart by
     * the one key it is written with ({@code {file: ...}}, {@code {url: ...}}, {@code {controller: {...}}}). Every
     * kind takes {@code refresh}: how long a fetched certificate is trusted before it is fetched again, 5 minutes
     * when left out, never {@code null}. Immutable.
     */
    @JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
    @JsonSubTypes({
            @JsonSubTypes.Type(CertificateConfig.FromFile.class),
            @JsonSubTypes.Type(CertificateConfig.FromUrl.class),
            @JsonSubTypes.Type(CertificateConfig.FromController.class)})
    public sealed interface CertificateConfig {

        /** How long a fetched certificate is trusted before it is fetched again. */
        Duration refresh();

        /** Where the certificate comes from, for messages. */
        String describe();

        /** @param file a PEM certificate file readable by the sealer */
        record FromFile(String file, Duration refresh) implements CertificateConfig {
            public FromFile {
                if (file == null) throw new IllegalArgumentException("certificate.file needs a value");
                refresh = orDefault(refresh);
            }

            @Override
            public String describe() {
                return "file " + file;
            }
        }

        /**
         * A URL serving the PEM certificate. Redirects are never followed and the answer may be at most 64 KiB.
         *
         * @param url an https URL (http only with {@code insecure})
         * @param insecure allow a plain http URL; {@code false} when left out
         * @param caBundle a PEM file of CA certificates, the only ones trusted for this URL's TLS server
         *     ({@code null}: the JVM's default trust store)
         * @param fingerprint the pinned SHA-256 fingerprint (read with {@link CertificateFingerprint#parse}, kept
         *     as 64 hex digits): any other certificate is refused. Without a pin, a certificate other than the one
         *     the sealer uses is held until approved.
         */
        record FromUrl(String url, Duration refresh, Boolean insecure, String caBundle, String fingerprint)
                implements CertificateConfig {
            public FromUrl {
                if (url == null || !(url.startsWith("https://") || url.startsWith("http://"))) {
                    throw new IllegalArgumentException("certificate.url must be an https URL (http only with insecure: true)");
                }
                refresh = orDefault(refresh);
                insecure = insecure != null && insecure;
                if (fingerprint != null) {
                    try {
                        fingerprint = CertificateFingerprint.parse(fingerprint);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("certificate.fingerprint: " + e.getMessage());
                    }
                }
            }

            /** An unpinned https URL trusted through the JVM's default trust store. */
            public FromUrl(String url, Duration refresh) {
                this(url, refresh, null, null, null);
            }

            @Override
            public String describe() {
                return url;
            }
        }

        /** @param controller the controller's Service, reached through the API server's service proxy */
        record FromController(ControllerRef controller, Duration refresh) implements CertificateConfig {
            public FromController {
                if (controller == null) {
                    throw new IllegalArgumentException("certificate.controller needs a value ({} for the default Service)");
                }
                refresh = orDefault(refresh);
            }

            @Override
            public String describe() {
                return "controller " + controller.namespace() + "/" + controller.name();
            }
        }

        private static Duration orDefault(Duration refresh) {
            return refresh == null ? Duration.ofMinutes(5) : refresh;
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

package io.reseal.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

class EmbeddedKubernetesIT {

    private static final String CERT_V1 = "-----BEGIN CERTIFICATE-----\nMIIB-first\n-----END CERTIFICATE-----\n";
    private static final String CERT_V2 = "-----BEGIN CERTIFICATE-----\nMIIB-renewed\n-----END CERTIFICATE-----\n";

    private static EmbeddedKubernetes kubernetes;
    private static KubernetesClient client;

    @BeforeAll
    static void startServer() {
        kubernetes = new EmbeddedKubernetes();
        kubernetes.start();
        client = kubernetes.client();
    }

    @AfterAll
    static void closeServer() {
        kubernetes.close();
    }

    @Test
    void labelledNamespacesAreListedBySelectorAndSurviveRestart() {
        client.namespaces().resource(namespace("financial-ml-dev", "dev")).create();
        client.namespaces().resource(namespace("financial-ml", "production")).create();
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("unrelated").endMetadata()
                .build()).create();

        assertThat(client.namespaces().withLabel("reseal.io/workflow", "financial-ml").list().getItems())
                .extracting(ns -> ns.getMetadata().getName())
                .containsExactlyInAnyOrder("financial-ml-dev", "financial-ml");
        assertThat(client.namespaces().withLabels(Map.of("reseal.io/workflow", "financial-ml",
                "reseal.io/environment", "dev")).list().getItems())
                .extracting(HasMetadata::getMetadata)
                .singleElement()
                .satisfies(meta -> assertThat(meta.getAnnotations())
                        .containsEntry("reseal.io/bundles", "ml-platform,ghcr"));

        kubernetes.stop();
        kubernetes.start();

        assertThat(client.namespaces().withName("financial-ml-dev").get()).isNotNull();
    }

    @Test
    void controllerCertificateIsServedThroughTheServiceProxyAndCanBeRenewed() {
        String url = kubernetes.masterUrl().replaceAll("/$", "")
                + EmbeddedKubernetes.controllerCertificatePath("kube-system", "sealed-secrets-controller");

        kubernetes.serveControllerCertificate("kube-system", "sealed-secrets-controller", CERT_V1);
        assertThat(client.raw(url)).isEqualTo(CERT_V1);

        kubernetes.serveControllerCertificate("kube-system", "sealed-secrets-controller", CERT_V2);
        assertThat(client.raw(url)).isEqualTo(CERT_V2);

        String otherController = kubernetes.masterUrl().replaceAll("/$", "")
                + EmbeddedKubernetes.controllerCertificatePath("other", "sealed-secrets-controller");
        assertThat(client.raw(otherController)).as("fabric8 raw() answers a 404 with null").isNull();
    }

    private static Namespace namespace(String name, String environment) {
        return new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels("reseal.io/workflow", "financial-ml")
                .addToLabels("reseal.io/environment", environment)
                .addToAnnotations("reseal.io/bundles", "ml-platform,ghcr")
                .endMetadata().build();
    }
}

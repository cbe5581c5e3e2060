package io.reseal.adoption;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.reseal.packager.archive.PackageVerifier;
import io.reseal.packager.signing.SigningPublicKey;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * What a team does with the package e-mail, up to {@code kubectl apply -k <env>/}: takes the presigned link out of
 * the mail's text, downloads the archive over HTTP, checks it as {@code ./reseal verify --pubkey} does, extracts it
 * ({@code tar xzf}), and renders an environment folder as {@code kubectl kustomize <env>/} does for what the
 * package's kustomization holds (its {@code resources}, each put in its {@code namespace}); anything else in a
 * kustomization fails, rather than being rendered wrong.
 */
final class DownloadedPackage {

    private static final Pattern LINK = Pattern.compile("(http://\\S+X-Amz-Signature=[0-9a-f]+)");
    private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "namespace", "resources");

    private final Map<String, byte[]> files;

    private DownloadedPackage(Map<String, byte[]> files) {
        this.files = files;
    }

    /** Downloads, verifies against {@code signer} and extracts the package whose link {@code mail} carries. */
    static DownloadedPackage fromMail(MimeMessage mail, SigningPublicKey signer) throws Exception {
        Matcher link = LINK.matcher(textOf(mail));
        assertThat(link.find()).as("a presigned link in the text of the mail '%s'", mail.getSubject()).isTrue();
        HttpResponse<byte[]> download = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(link.group(1))).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).as("HTTP status of the mailed link").isEqualTo(200);
        assertThat(PackageVerifier.withPublicKey(signer).verify(new ByteArrayInputStream(download.body())).problems())
                .as("./reseal verify of the downloaded package").isEmpty();
        return new DownloadedPackage(untar(download.body()));
    }

    /** {@code kubectl kustomize <folder>/}: the folder's resources, in the namespace its kustomization sets. */
    List<GenericKubernetesResource> kustomize(String folder, KubernetesSerialization yaml) {
        Map<?, ?> kustomization = yaml.unmarshal(text(folder + "/kustomization.yaml"), Map.class);
        assertThat(KUSTOMIZATION_FIELDS).as("fields of %s/kustomization.yaml this rendering knows", folder)
                .containsAll(kustomization.keySet().stream().map(String::valueOf).toList());
        String namespace = (String) kustomization.get("namespace");
        assertThat(namespace).as("namespace of %s/kustomization.yaml", folder).isNotBlank();
        List<GenericKubernetesResource> rendered = new ArrayList<>();
        for (Object resource : (List<?>) kustomization.get("resources")) {
            GenericKubernetesResource manifest = yaml.unmarshal(text(folder + "/" + resource), GenericKubernetesResource.class);
            manifest.getMetadata().setNamespace(namespace);
            rendered.add(manifest);
        }
        assertThat(rendered).as("resources of %s/kustomization.yaml", folder).isNotEmpty();
        return rendered;
    }

    private String text(String path) {
        byte[] content = files.get(path);
        assertThat(content).as("%s in the package (it holds %s)", path, files.keySet()).isNotNull();
        return new String(content, StandardCharsets.UTF_8);
    }

    private static String textOf(MimeMessage mail) throws Exception {
        Multipart alternative = (Multipart) mail.getContent();
        for (int i = 0; i < alternative.getCount(); i++) {
            if (alternative.getBodyPart(i).isMimeType("text/plain")) {
                return (String) alternative.getBodyPart(i).getContent();
            }
        }
        throw new AssertionError("no text/plain part in the mail '" + mail.getSubject() + "'");
    }

    private static Map<String, byte[]> untar(byte[] archive) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.isDirectory()) continue;
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                tar.transferTo(content);
                files.put(entry.getName(), content.toByteArray());
            }
        }
        return files;
    }
}

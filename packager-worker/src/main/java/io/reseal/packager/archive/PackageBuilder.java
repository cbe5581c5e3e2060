package io.reseal.packager.archive;

import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.event.RotationSealed;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Turns a sealed rotation into the delivery archive:
 *
 * <pre>
 * &lt;env&gt;/&lt;secret&gt;-sealed-secret.yaml   the manifest from the event, unchanged
 * &lt;env&gt;/kustomization.yaml            namespace of the environment, resources = the manifests
 * secret-reference-template.yaml      envFrom / secretKeyRef / imagePullSecrets examples
 * README.md                           rotation facts, apply commands, key names, how to verify
 * SHA256SUMS                          sha256sum format, every other file, sorted
 * SHA256SUMS.sig                      raw Ed25519 signature of SHA256SUMS
 * </pre>
 *
 * <p>Guarantees: the same event and signing key always give byte-identical archives (sorted entries,
 * fixed owners, modes and mtimes = {@code requestedAt}); every path is built from names checked to be
 * DNS-1123 labels, so nothing can point outside the archive root; invalid input fails with
 * {@link InvalidPackageInputException} before anything is built. Thread-safe and free of I/O.
 */
public final class PackageBuilder {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final String MANIFEST_SUFFIX = "-sealed-secret.yaml";

    private final PackageSigner signer;

    public PackageBuilder(PackageSigner signer) {
        this.signer = signer;
    }

    /** Fingerprint of the key that signs the packages (see {@link PackageSigner#fingerprint()}). */
    public String signerFingerprint() {
        return signer.fingerprint();
    }

    /** {@code <workflow>-ml-secrets-<yyyymmdd>.tar.gz}, the date of {@code requestedAt} in UTC. */
    private static String archiveName(RotationSealed sealed) {
        return sealed.workflow() + "-ml-secrets-" + DAY.format(sealed.requestedAt()) + ".tar.gz";
    }

    /**
     * Builds the archive.
     *
     * @throws InvalidPackageInputException if the event cannot become a safe, consistent package
     */
    public DeliveryArchive build(RotationSealed sealed) {
        PackageInputCheck.check(sealed);
        String archiveName = archiveName(sealed);

        SortedMap<String, byte[]> files = environmentFolders(sealed);
        files.put(ReferenceTemplate.FILE, utf8(ReferenceTemplate.render(sealed)));
        files.put(Readme.FILE, utf8(Readme.render(sealed, archiveName, signer.fingerprint())));

        byte[] sums = utf8(Sha256Sums.render(files));
        files.put(Sha256Sums.FILE, sums);
        files.put(Sha256Sums.SIGNATURE_FILE, signer.sign(sums));

        byte[] archive = DeterministicTarGz.write(files, sealed.requestedAt());
        String objectKey = sealed.workflow() + "/" + sealed.rotationId() + "/" + archiveName;
        return new DeliveryArchive(sealed.rotationId(), archiveName, objectKey, archive, List.copyOf(files.keySet()));
    }

    /**
     * What a Git delivery commits: the archive's environment folders ({@code <env>/<secret>-sealed-secret.yaml},
     * {@code <env>/kustomization.yaml}, byte-identical to the archive's) plus {@code SHA256SUMS} of exactly those
     * files and its signature {@code SHA256SUMS.sig}, as paths relative to the delivery folder. Sorted.
     *
     * @throws InvalidPackageInputException if the event cannot become a safe, consistent package
     */
    public SortedMap<String, byte[]> repositoryFiles(RotationSealed sealed) {
        PackageInputCheck.check(sealed);
        SortedMap<String, byte[]> files = environmentFolders(sealed);
        byte[] sums = utf8(Sha256Sums.render(files));
        files.put(Sha256Sums.FILE, sums);
        files.put(Sha256Sums.SIGNATURE_FILE, signer.sign(sums));
        return files;
    }

    private static SortedMap<String, byte[]> environmentFolders(RotationSealed sealed) {
        SortedMap<String, byte[]> files = new TreeMap<>();
        for (RotationSealed.Environment environment : sealed.environments()) {
            List<String> manifests = new ArrayList<>();
            for (RotationSealed.Secret secret : environment.secrets()) {
                String file = secret.name() + MANIFEST_SUFFIX;
                manifests.add(file);
                files.put(environment.name() + "/" + file, utf8(secret.manifest()));
            }
            manifests.sort(null);
            files.put(environment.name() + "/" + Kustomization.FILE,
                    utf8(Kustomization.render(environment.namespace(), manifests)));
        }
        return files;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package io.reseal.sealer.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.ClusterConfig;
import io.reseal.sealer.ClusterConfig.CertificateConfig;
import io.reseal.sealer.crypto.InvalidCertificateException;
import io.reseal.sealer.crypto.SealingCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The current sealing certificate of each cluster: from a PEM file, an https URL ({@link UrlCertificateFetcher}), or
 * the controller through the API server's service proxy
 * ({@code /api/v1/namespaces/<ns>/services/http:<name>:/proxy/v1/cert.pem}, as {@code kubeseal --fetch-cert}). A
 * fetched certificate is validated (RSA >= 2048 bits, within its validity) and trusted for the cluster's
 * {@code refresh} interval. A URL's certificate must match its pinned fingerprint, if any; without a pin it goes
 * through {@link KeyApprovals}, which may hold a changed one and return the certificate used before. Whenever the
 * certificate used yields a fingerprint other than the one before that this source has not seen for that cluster
 * yet, the renewal listener hears of it, once per fingerprint (the first fetch only sets the baseline; a controller
 * flapping between an old and a new key announces nothing twice). Thread-safe.
 */
public final class CertificateSource {

    private final Map<String, ClusterConfig> clusters = new ConcurrentHashMap<>();
    private final ClusterAccess access;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> seenFingerprints = new ConcurrentHashMap<>();
    private final Map<String, String> sealedWith = new ConcurrentHashMap<>();
    private final Map<String, UrlCertificateFetcher> urls = new ConcurrentHashMap<>();
    private final BiConsumer<String, SealingCertificate> renewalListener;
    private final KeyApprovals approvals;

    /**
     * A source whose approvals of URL certificates live in this process only (their announcements go nowhere).
     *
     * @param renewalListener told (cluster, new certificate) when a cluster's fingerprint changes
     */
    public CertificateSource(List<ClusterConfig> clusters, ClusterAccess access, Clock clock,
                             BiConsumer<String, SealingCertificate> renewalListener) {
        this(clusters, access, clock, renewalListener, new KeyApprovals(io.reseal.sealer.SealerStage.SOURCE, List::of, event -> { }, clock));
    }

    /**
     * @param renewalListener told (cluster, new certificate) when a cluster's fingerprint changes
     * @param approvals decides about the certificates of unpinned URLs
     * @throws IllegalArgumentException when a URL's CA bundle cannot be read
     */
    public CertificateSource(List<ClusterConfig> clusters, ClusterAccess access, Clock clock,
                             BiConsumer<String, SealingCertificate> renewalListener, KeyApprovals approvals) {
        clusters.forEach(c -> this.clusters.put(c.name(), c));
        this.access = access;
        this.clock = clock;
        this.renewalListener = renewalListener;
        this.approvals = approvals;
        for (ClusterConfig cluster : clusters) {
            if (cluster.certificate() instanceof CertificateConfig.FromUrl url) {
                urls.put(cluster.name(), new UrlCertificateFetcher(cluster.name(), url, what(cluster)));
            }
        }
    }

    /** The cluster's certificate, fetched again when the cached one is older than its refresh interval. */
    public SealingCertificate current(String cluster) throws RetriableStageException, PermanentStageException {
        ClusterConfig config = clusters.get(cluster);
        if (config == null) throw new PermanentStageException(ErrorCode.UNKNOWN_CLUSTER, "unknown cluster '" + cluster + "'");
        Instant now = clock.instant();
        Cached cached = cache.get(cluster);
        if (cached != null && now.isBefore(cached.fetchedAt().plus(config.certificate().refresh()))) {
            return cached.certificate();
        }
        return refresh(config, now);
    }

    /**
     * Records that {@code cluster} sealed with {@code fingerprint} last before this process started (read back
     * from the sealed topic by {@link SealingHistory}), so a key renewed while the sealer was down is still noticed
     * on the first fetch. A later call replaces the earlier one.
     */
    public void rememberSealedWith(String cluster, String fingerprint) {
        if (clusters.containsKey(cluster) && fingerprint != null) {
            Set<String> baseline = ConcurrentHashMap.newKeySet();
            baseline.add(fingerprint);
            seenFingerprints.put(cluster, baseline);
            sealedWith.put(cluster, fingerprint);
        }
    }

    /** Whether {@code cluster} is configured. */
    boolean knows(String cluster) {
        return clusters.containsKey(cluster);
    }

    /** The current instant of this source's clock. */
    Instant now() {
        return clock.instant();
    }

    /** The SHA-256 fingerprint of each cluster's certificate fetched last, by cluster (clusters not fetched yet are absent). */
    public Map<String, String> fingerprints() {
        Map<String, String> fingerprints = new java.util.TreeMap<>();
        cache.forEach((cluster, cached) -> fingerprints.put(cluster, cached.certificate().fingerprint()));
        return fingerprints;
    }

    /** Fetches every cluster's certificate now (the key-renewal check calls this periodically). */
    public void refreshAll() throws RetriableStageException, PermanentStageException {
        Instant now = clock.instant();
        for (ClusterConfig config : clusters.values()) {
            refresh(config, now);
        }
    }

    private synchronized SealingCertificate refresh(ClusterConfig config, Instant now)
            throws RetriableStageException, PermanentStageException {
        String pem = fetch(config);
        SealingCertificate certificate;
        try {
            certificate = SealingCertificate.parse(pem).requireValidAt(now);
        } catch (InvalidCertificateException e) {
            throw new PermanentStageException(ErrorCode.INVALID_CERTIFICATE, "certificate of cluster " + config.name()
                    + " (" + config.certificate().describe() + "): " + e.getMessage());
        }
        if (config.certificate() instanceof CertificateConfig.FromUrl url) {
            certificate = checkUrlCertificate(config, url, certificate, pem);
        }
        cache.put(config.name(), new Cached(certificate, now));
        Set<String> seen = seenFingerprints.computeIfAbsent(config.name(), name -> ConcurrentHashMap.newKeySet());
        boolean hadBaseline = !seen.isEmpty();
        if (seen.add(certificate.fingerprint()) && hadBaseline) {
            renewalListener.accept(config.name(), certificate);
        }
        return certificate;
    }

    /** A pinned URL's certificate must be the pinned one; an unpinned URL's must be admitted by the approvals. */
    private SealingCertificate checkUrlCertificate(ClusterConfig config, CertificateConfig.FromUrl url,
                                                   SealingCertificate fetched, String pem)
            throws RetriableStageException, PermanentStageException {
        if (url.fingerprint() != null) {
            if (!url.fingerprint().equals(fetched.fingerprint())) {
                throw new PermanentStageException(ErrorCode.CERTIFICATE_PIN_MISMATCH, what(config) + ": its SHA-256"
                        + " fingerprint is " + fetched.fingerprint() + ", not the pinned " + url.fingerprint()
                        + " (clusters." + config.name() + ".certificate.fingerprint); not sealing with it");
            }
            return fetched;
        }
        Cached cached = cache.get(config.name());
        String inUse = cached != null ? cached.certificate().fingerprint() : sealedWith.get(config.name());
        return approvals.admit(config.name(), url.url(), fetched, pem, inUse, what(config));
    }

    private static String what(ClusterConfig config) {
        return "certificate of cluster " + config.name() + " (" + config.certificate().describe() + ")";
    }

    private String fetch(ClusterConfig config) throws RetriableStageException, PermanentStageException {
        CertificateConfig source = config.certificate();
        String what = what(config);
        if (source instanceof CertificateConfig.FromFile file) {
            try {
                return Files.readString(Path.of(file.file()));
            } catch (NoSuchFileException e) {
                throw new PermanentStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": no such file");
            } catch (IOException e) {
                throw new RetriableStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": cannot read the file", e);
            }
        }
        if (source instanceof CertificateConfig.FromUrl) {
            return urls.get(config.name()).fetch();
        }
        ClusterConfig.ControllerRef controller = ((CertificateConfig.FromController) source).controller();
        KubernetesClient client = access.client(config.name());
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/"
                + controller.namespace() + "/services/http:" + controller.name() + ":/proxy/v1/cert.pem";
        try {
            String pem = client.raw(url);
            if (pem == null) {
                throw new PermanentStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": the controller service was not found");
            }
            return pem;
        } catch (KubernetesClientException e) {
            KubernetesErrors.rethrow(what, e);
            return null;
        }
    }

    private record Cached(SealingCertificate certificate, Instant fetchedAt) {}
}

package io.reseal.sealer.kube;

import io.reseal.pipeline.event.CertificateFingerprint;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.KeyApproved;
import io.reseal.pipeline.event.KeyChanged;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.kafka.KafkaClients;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.pipeline.stage.TopicScanner;
import io.reseal.pipeline.stage.Topics;
import io.reseal.sealer.crypto.InvalidCertificateException;
import io.reseal.sealer.crypto.SealingCertificate;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which certificates from an unpinned URL a cluster may be sealed with, kept on two topics so that it survives
 * restarts and is the same on every replica: the sealer's own {@code io.reseal.key.changed.v1} announcements
 * ({@code first-use}: taken because no certificate was known for the cluster; {@code held}: a different one, not
 * taken) and the producer's {@code io.reseal.key.approved.v1} approvals. Believed only of events of their writer's
 * source with a well-formed fingerprint (the topics themselves are writable by that writer alone, see
 * deploy/kafka/acls.sh).
 *
 * <p>{@link #admit} decides: a fetched certificate that the cluster already seals with, or that was approved (or
 * taken on first use) for it, is used; the first certificate ever seen for a cluster is used and announced
 * ({@code first-use}, also for one known only by its fingerprint on the sealed topic, so its PEM is on record); any other is announced once ({@code held}) and the certificate used before is returned
 * instead, so nothing is re-sealed until {@code ./reseal approve-key}. Thread-safe.
 */
public final class KeyApprovals {

    /** The CloudEvents source of the producer, the only writer of approvals believed. */
    public static final URI PRODUCER_SOURCE = URI.create("/reseal/rotation-producer");
    private static final Logger LOG = LoggerFactory.getLogger(KeyApprovals.class);

    private final URI sealerSource;
    private final Supplier<List<RotationEvent<?>>> news;
    private final Consumer<RotationEvent<KeyChanged>> announcer;
    private final Clock clock;
    /** Per cluster, the fingerprints it may be sealed with, in the order they became so. */
    private final Map<String, LinkedHashSet<String>> approved = new HashMap<>();
    /** PEM by cluster and fingerprint, from the announcements. */
    private final Map<String, Map<String, String>> pems = new HashMap<>();
    private final Set<String> announced = new HashSet<>();
    /** Per cluster, the fingerprint its URL serves and this process holds. */
    private final Map<String, String> held = new HashMap<>();

    /**
     * @param sealerSource the CloudEvents source of the sealer's own events
     * @param news the key events written since the previous call (all of them on the first)
     * @param announcer publishes an announcement (returns once Kafka has it, or logs why not)
     */
    public KeyApprovals(String sealerSource, Supplier<List<RotationEvent<?>>> news,
                        Consumer<RotationEvent<KeyChanged>> announcer, Clock clock) {
        this.sealerSource = URI.create(sealerSource);
        this.news = news;
        this.announcer = announcer;
        this.clock = clock;
    }

    /** Reads the key topics from Kafka: everything on the first call, what is new on each one after. */
    public static Supplier<List<RotationEvent<?>>> fromKafka(KafkaClients clients, Topics topics) {
        TopicScanner scanner = new TopicScanner(clients);
        EventCodec codec = new EventCodec();
        List<TopicScanner.Tail> tails = List.of(scanner.tail(topics.of(EventType.KEY_CHANGED)),
                scanner.tail(topics.of(EventType.KEY_APPROVED)));
        return () -> {
            List<RotationEvent<?>> events = new ArrayList<>();
            for (TopicScanner.Tail tail : tails) {
                for (ConsumerRecord<String, byte[]> record : tail.next(Duration.ofSeconds(30))) {
                    try {
                        events.add(codec.fromRecord(record));
                    } catch (InvalidEventException e) {
                        LOG.warn("key topic {}-{}@{} is not a key event, ignored: {}", record.topic(), record.partition(),
                                record.offset(), e.getMessage());
                    }
                }
            }
            return events;
        };
    }

    /**
     * The certificate to seal {@code cluster} with, given the one its URL serves now.
     *
     * @param inUse the fingerprint the cluster is sealed with (last used by this process, or read back from the
     *     sealed topic); {@code null} when not known
     * @param what the certificate in messages
     * @throws PermanentStageException ({@code certificate-held}) when the fetched certificate is held and the one
     *     used before is not at hand (it came from the sealed topic, which carries no certificate)
     */
    public synchronized SealingCertificate admit(String cluster, String url, SealingCertificate fetched, String pem,
                                                 String inUse, String what)
            throws RetriableStageException, PermanentStageException {
        catchUp(what);
        LinkedHashSet<String> allowed = approved.computeIfAbsent(cluster, c -> new LinkedHashSet<>());
        String fingerprint = fetched.fingerprint();
        held.remove(cluster);
        if (fingerprint.equals(inUse) || allowed.contains(fingerprint)) {
            if (!pems.getOrDefault(cluster, Map.of()).containsKey(fingerprint)) {
                // known from the sealed topic only (sealed before the key topics existed): put its PEM on record,
                // so that a change held later can go on sealing with it after a restart too
                announce(new KeyChanged(cluster, KeyChanged.State.FIRST_USE, null, fingerprint, url, pem));
                pems.computeIfAbsent(cluster, c -> new HashMap<>()).put(fingerprint, pem);
            }
            allowed.add(fingerprint);
            return fetched;
        }
        if (inUse == null && allowed.isEmpty()) {
            LOG.warn("{}: first certificate seen for cluster {}, {}: trusted on first use", what, cluster, fingerprint);
            announce(new KeyChanged(cluster, KeyChanged.State.FIRST_USE, null, fingerprint, url, pem));
            allowed.add(fingerprint);
            pems.computeIfAbsent(cluster, c -> new HashMap<>()).put(fingerprint, pem);
            return fetched;
        }
        String previous = inUse != null ? inUse : allowed.stream().reduce((first, second) -> second).orElseThrow();
        KeyChanged change = new KeyChanged(cluster, KeyChanged.State.HELD, previous, fingerprint, url, pem);
        held.put(cluster, fingerprint);
        if (!announced.contains(id(change))) {
            LOG.warn("{}: the certificate changed from {} to {}; held: sealing goes on with {} until"
                    + " ./reseal approve-key {} {}", what, previous, fingerprint, previous, cluster, fingerprint);
            announce(change);
        }
        String previousPem = pems.getOrDefault(cluster, Map.of()).get(previous);
        if (previousPem == null) {
            throw new PermanentStageException(ErrorCode.CERTIFICATE_HELD, what + ": the certificate changed from "
                    + previous + " to " + fingerprint + " and is held for approval (./reseal approve-key " + cluster + " "
                    + fingerprint + "); the certificate " + previous + " is not at hand to seal with meanwhile");
        }
        try {
            return SealingCertificate.parse(previousPem).requireValidAt(clock.instant());
        } catch (InvalidCertificateException e) {
            throw new PermanentStageException(ErrorCode.CERTIFICATE_HELD, what + ": the certificate changed to "
                    + fingerprint + " and is held for approval (./reseal approve-key " + cluster + " " + fingerprint
                    + "); the approved one cannot be used meanwhile: " + e.getMessage());
        }
    }

    /** The fingerprint each cluster's URL served at its last fetch, for the clusters where it is held (a snapshot). */
    public synchronized Map<String, String> held() {
        return Map.copyOf(held);
    }

    private void catchUp(String what) throws RetriableStageException {
        List<RotationEvent<?>> events;
        try {
            events = news.get();
        } catch (RuntimeException e) {
            throw new RetriableStageException(ErrorCode.CERTIFICATE_UNAVAILABLE, what + ": cannot read the key approvals"
                    + " from Kafka: " + e.getClass().getSimpleName(), e);
        }
        events.forEach(this::accept);
    }

    private void accept(RotationEvent<?> event) {
        if (event.data() instanceof KeyChanged changed && sealerSource.equals(event.source())
                && CertificateFingerprint.isCanonical(changed.fingerprint())) {
            announced.add(event.id());
            pems.computeIfAbsent(changed.cluster(), c -> new HashMap<>()).put(changed.fingerprint(), changed.certificate());
            if (changed.state() == KeyChanged.State.FIRST_USE) {
                approved.computeIfAbsent(changed.cluster(), c -> new LinkedHashSet<>()).add(changed.fingerprint());
            }
        } else if (event.data() instanceof KeyApproved approval && PRODUCER_SOURCE.equals(event.source())
                && CertificateFingerprint.isCanonical(approval.fingerprint())) {
            LinkedHashSet<String> allowed = approved.computeIfAbsent(approval.cluster(), c -> new LinkedHashSet<>());
            allowed.remove(approval.fingerprint());
            allowed.add(approval.fingerprint()); // the newest approval last
        } else {
            LOG.warn("key event {} of {} is not believed (not of its writer's source, or malformed), ignored",
                    event.id(), event.source());
        }
    }

    private void announce(KeyChanged changed) {
        RotationEvent<KeyChanged> event = new RotationEvent<>(id(changed), sealerSource, EventType.KEY_CHANGED,
                changed.cluster(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), null, changed);
        announcer.accept(event);
        announced.add(event.id());
    }

    /** One announcement per cluster, fingerprint and state, whichever replica makes it. */
    private static String id(KeyChanged changed) {
        return "key." + changed.cluster() + "." + changed.fingerprint() + "." + changed.state().name().toLowerCase(java.util.Locale.ROOT);
    }
}

package io.reseal.pipeline.event;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The data of the relink events ({@link EventType#isRelink()}): each names its {@code relinkId}, one per relink
 * request, which the relink stages count by, so a rotation can be relinked many times and each request acts once.
 */
public interface RelinkData {

    /** The packager's stage that presigns the fresh link (its failed records name it). */
    String RELINKER = "relinker";
    /** The notifier's stage that mails it. */
    String RELINK_NOTIFIER = "relink-notifier";

    /**
     * Whether a failed record of {@code stage} is about a relink: the relink failed, the rotation did not (it was
     * delivered before).
     */
    static boolean isRelinkStage(String stage) {
        return RELINKER.equals(stage) || RELINK_NOTIFIER.equals(stage);
    }

    String rotationId();

    String workflow();

    /** {@code <rotationId>.relink.<uuid>}: stable for one rotation and one request key. */
    String relinkId();

    /**
     * The relink id of {@code rotationId} asked for with {@code requestKey} (an API token's name and the request's
     * Idempotency-Key, say): the same inputs give the same id, so a retried request is one relink downstream.
     */
    static String relinkId(String rotationId, String requestKey) {
        String name = "reseal-relink\n" + rotationId + "\n" + requestKey;
        return rotationId + ".relink." + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The event of a relink, with the stable id {@code <relinkId>.<type>}. */
    static <D extends RelinkData> RotationEvent<D> event(EventType type, String source,
                                                         java.time.OffsetDateTime time, D data) {
        return new RotationEvent<>(data.relinkId() + "." + type.shortName(), java.net.URI.create(source), type,
                data.workflow(), time, data.rotationId(), data);
    }

    /** The relink id of {@code event}, or {@code null} when it is not a relink event. */
    static String of(RotationEvent<?> event) {
        return event.data() instanceof RelinkData relink ? relink.relinkId() : null;
    }
}

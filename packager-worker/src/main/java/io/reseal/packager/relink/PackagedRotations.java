package io.reseal.packager.relink;

import io.reseal.pipeline.event.EventCodec;
import io.reseal.pipeline.event.InvalidEventException;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationPackaged;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the packager published on the packaged topic, by rotation: the archive a relink presigns again and who its
 * mail went to. Reads the topic only as far as needed: a rotation not seen yet makes it read what was committed
 * since the last look (also what other replicas packaged). Thread-safe.
 */
public final class PackagedRotations {

    private final Map<String, RotationPackaged> byRotation = new ConcurrentHashMap<>();
    private final Supplier<List<ConsumerRecord<String, byte[]>>> tail;
    private final EventCodec codec = new EventCodec();

    /** @param tail the records committed on the packaged topic since its previous call */
    public PackagedRotations(Supplier<List<ConsumerRecord<String, byte[]>>> tail) {
        this.tail = tail;
    }

    /** The {@code packaged} data of {@code rotationId}, or empty when the topic holds none. */
    public synchronized Optional<RotationPackaged> find(String rotationId) {
        if (!byRotation.containsKey(rotationId)) {
            for (ConsumerRecord<String, byte[]> record : tail.get()) {
                try {
                    RotationEvent<?> event = codec.fromRecord(record);
                    if (event.data() instanceof RotationPackaged packaged) byRotation.put(packaged.rotationId(), packaged);
                } catch (InvalidEventException e) {
                    // not a packaged event; the notifier reports it
                }
            }
        }
        return Optional.ofNullable(byRotation.get(rotationId));
    }
}

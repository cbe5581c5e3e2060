package io.reseal.pipeline.event;

/**
 * What an event on the adopted topic must show before anything takes it as the adoption watcher's word: the
 * watcher's {@link #SOURCE}, the id the watcher gives that change ({@link RotationAdopted#eventId()}, {@link RotationReminded#eventId()}, or
 * the rotation's {@code adoption_complete} id), and the same rotation id in the attributes and the data. That tells a
 * hand-made or garbled record from the watcher's; only Kafka's ACLs (the watcher alone writes the topic) tell a
 * careful forgery from it. Stateless.
 */
public final class AdoptionEvents {

    /** The CloudEvents {@code source} of every adoption event: the adoption watcher's. */
    public static final String SOURCE = "/reseal/adoption-watcher";

    private AdoptionEvents() {}

    /** Whether {@code event} is an adoption event in the shape the watcher publishes it. */
    public static boolean fromWatcher(RotationEvent<?> event) {
        if (!event.type().isAdoption() || !SOURCE.equals(event.source().toString()) || event.rotationId() == null) {
            return false;
        }
        if (event.data() instanceof RotationAdopted adopted) {
            return adopted.rotationId().equals(event.rotationId()) && adopted.eventId().equals(event.id());
        }
        if (event.data() instanceof RotationAdoptionComplete complete) {
            return complete.rotationId().equals(event.rotationId())
                    && event.id().equals(complete.rotationId() + "." + EventType.ADOPTION_COMPLETE.shortName());
        }
        if (event.data() instanceof RotationReminded reminded) {
            return reminded.rotationId().equals(event.rotationId()) && reminded.eventId().equals(event.id());
        }
        return false;
    }
}

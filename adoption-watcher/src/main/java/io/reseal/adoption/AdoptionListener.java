package io.reseal.adoption;

import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;
import io.reseal.pipeline.event.RotationReminded;
import java.util.List;

/**
 * Told of each adoption change, completion and reminder after it was published, on the watcher's evaluation thread (so a
 * slow listener delays the next evaluation, nothing else). Called once per published change.
 */
public interface AdoptionListener {

    AdoptionListener NONE = new AdoptionListener() {};

    /** @param target the namespace the change is about, with its contacts and the rotation's requestor */
    default void changed(RotationAdopted change, AdoptionTarget target) {}

    default void completed(RotationAdoptionComplete complete) {}

    /** A namespace that has not applied the rotation is to be reminded (the reminder is on the topic already). */
    default void reminded(RotationReminded reminder, AdoptionTarget target) {}

    /** Tells each of {@code listeners}, in order. */
    static AdoptionListener all(AdoptionListener... listeners) {
        List<AdoptionListener> each = List.of(listeners);
        return new AdoptionListener() {
            @Override
            public void changed(RotationAdopted change, AdoptionTarget target) {
                each.forEach(l -> l.changed(change, target));
            }

            @Override
            public void completed(RotationAdoptionComplete complete) {
                each.forEach(l -> l.completed(complete));
            }

            @Override
            public void reminded(RotationReminded reminder, AdoptionTarget target) {
                each.forEach(l -> l.reminded(reminder, target));
            }
        };
    }
}

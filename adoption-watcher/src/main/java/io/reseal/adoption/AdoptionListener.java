package io.reseal.adoption;

import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;

/**
 * Told of each adoption change and completion after it was published, on the watcher's evaluation thread (so a
 * slow listener delays the next evaluation, nothing else). Called once per published change.
 */
public interface AdoptionListener {

    AdoptionListener NONE = new AdoptionListener() {};

    /** @param target the namespace the change is about, with its contacts and the rotation's requestor */
    default void changed(RotationAdopted change, AdoptionTarget target) {}

    default void completed(RotationAdoptionComplete complete) {}
}

package io.reseal.adoption;

import io.reseal.pipeline.event.RotationAdopted;
import io.reseal.pipeline.event.RotationAdoptionComplete;

/**
 * Told of each adoption change and completion after it was published, on the watcher's evaluation thread (so a
 * slow listener delays the next evaluation, nothing else). Called once per published change.
 */
public interface AdoptionListener {

    AdoptionListener NONE = new AdoptionListener() {};

    default void changed(RotationAdopted change) {}

    default void completed(RotationAdoptionComplete complete) {}
}

package io.reseal.adoption;

import io.reseal.pipeline.event.AdoptionState;
import java.time.Instant;

/**
 * What the cluster shows for one target right now: the furthest state that holds ({@code null}: the rotation's
 * SealedSecrets are not all there yet), since when, and what it rests on.
 */
public record Observation(AdoptionState state, Instant since, String message) {

    public static final Observation NOTHING = new Observation(null, null, null);
}

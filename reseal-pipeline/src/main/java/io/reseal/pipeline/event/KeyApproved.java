package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * Data of {@code io.reseal.key.approved.v1}, written by the producer alone (the API's
 * {@code POST /api/v1/clusters/{cluster}/keys/{fingerprint}/approve}, {@code ./reseal approve-key}): an operator
 * approved a held certificate of a cluster; the sealer uses it from its next refresh on and runs the key renewal.
 *
 * @param fingerprint 64 lower-case hex digits
 * @param approvedBy the name of the API token that approved it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyApproved(String cluster, String fingerprint, String approvedBy) {

    public KeyApproved {
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(fingerprint, "fingerprint");
    }
}

package io.reseal.pipeline.event;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Data of {@code io.reseal.rotation.reminded.v1}, on the adopted topic: the adoption watcher reminded a namespace
 * that has not applied a rotation, by e-mail to its contacts and the requestor. Published once per rotation,
 * cluster and namespace, before the mail is sent, so a restart never reminds twice.
 *
 * @param before what the reminder warns of: {@code deadline} (the previous credential is revoked at {@code at}) or
 *     {@code link-expiry} (the download link expires at {@code at})
 */
public record RotationReminded(String rotationId, String workflow, String environment, String namespace,
                               String cluster, String before, Instant at, List<String> recipients) {

    /** {@code before} of a reminder of the deadline. */
    public static final String DEADLINE = "deadline";
    /** {@code before} of a reminder of the link's expiry. */
    public static final String LINK_EXPIRY = "link-expiry";

    public RotationReminded {
        Objects.requireNonNull(rotationId, "rotationId");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(cluster, "cluster");
        Objects.requireNonNull(at, "at");
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** The stable event id: the same for every attempt to publish this reminder. */
    public String eventId() {
        return rotationId + ".reminded." + cluster + "." + namespace;
    }
}

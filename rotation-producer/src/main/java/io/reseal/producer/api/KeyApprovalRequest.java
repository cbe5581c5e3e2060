package io.reseal.producer.api;

import io.reseal.pipeline.event.CertificateFingerprint;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.KeyApproved;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import io.reseal.producer.publish.RequestPublisher;
import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * {@code POST /api/v1/clusters/{cluster}/keys/{fingerprint}/approve}: an operator approves the certificate a
 * cluster's URL serves now, which the sealer holds (docs/operations.md, "A certificate changed"). A key is the
 * whole cluster's, every workflow's: only a token allowed every workflow ({@code workflows: ["*"]}) may approve
 * one (403 for any other). The fingerprint is read as {@link CertificateFingerprint#parse} reads it. The event id
 * is derived from cluster and fingerprint, so approving twice is one approval downstream. Stateless.
 */
final class KeyApprovalRequest {

    static final String PATH = "/api/v1/clusters/:cluster/keys/:fingerprint/approve";

    private KeyApprovalRequest() {
    }

    /** The approval event, or why this token may not send it, or why the path does not name a key. */
    static RotationEvent<KeyApproved> of(ApiToken token, String cluster, String fingerprint, Clock clock)
            throws RequestRejected {
        if (!token.workflows().contains(ProducerConfig.ALL_WORKFLOWS)) {
            throw RequestRejected.workflowNotAllowed("token '" + token.name() + "' may not approve keys: that needs"
                    + " a token for every workflow (workflows: [\"*\"])", null);
        }
        if (cluster == null || !RequestRules.DNS_LABEL.matcher(cluster).matches()) {
            throw RequestRejected.badField("invalid-field", "cluster", "cluster must be a DNS-1123 label");
        }
        String hex;
        try {
            hex = CertificateFingerprint.parse(fingerprint);
        } catch (IllegalArgumentException e) {
            throw RequestRejected.badField("invalid-field", "fingerprint", e.getMessage());
        }
        return new RotationEvent<>("key." + cluster + "." + hex + ".approved", URI.create(RequestPublisher.SOURCE),
                EventType.KEY_APPROVED, cluster, OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC), null,
                new KeyApproved(cluster, hex, token.name()));
    }
}

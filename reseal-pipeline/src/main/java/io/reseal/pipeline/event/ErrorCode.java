package io.reseal.pipeline.event;

import java.util.Locale;

/**
 * Every error code a record on the failed topic can carry ({@link RotationFailed#errorCode()}), and the codes of
 * {@link InvalidEventException}. The wire form ({@link #wire()}, also {@link #toString()}) is the kebab-case name,
 * {@code INVALID_JSON} is {@code invalid-json}; it is stable, machine-readable and the label of the
 * {@code reseal_failed_topic_records_total} metric.
 */
public enum ErrorCode {
    // a record that is not an event of the contract (any stage)
    INVALID_JSON, NOT_A_CLOUDEVENT, UNKNOWN_TYPE, MISSING_FIELD, INVALID_FIELD, UNEXPECTED_TYPE,
    // the stage loop
    INTERNAL_ERROR, OUTPUT_TOO_LARGE, PUBLISH_REJECTED, PUBLISH_FAILED,
    // the sealer
    UNKNOWN_WORKFLOW, UNKNOWN_BUNDLE, UNKNOWN_CLUSTER, NO_BUNDLE, NO_SUBSCRIBED_NAMESPACE, AMBIGUOUS_ENVIRONMENT,
    MISSING_VALUE, CERTIFICATE_UNAVAILABLE, INVALID_CERTIFICATE, KUBERNETES_UNAVAILABLE, KUBERNETES_REFUSED,
    INVALID_REQUEST, INVALID_EVENT, UNEXPECTED_EVENT_TYPE, INTERRUPTED, FORGED_ROTATION_ID,
    CERTIFICATE_REFUSED, CERTIFICATE_PIN_MISMATCH, CERTIFICATE_HELD,
    // the sealer's issuers
    ISSUER_BUSY, ISSUER_FAILED, ISSUER_TEST_FAILED, ISSUER_UNAVAILABLE, ROTATION_UNFINISHED, NOT_THE_LAST_ROTATION,
    NOTHING_TO_FINISH, UNKNOWN_ISSUER,
    // the packager
    INVALID_PACKAGE_INPUT, S3_UNAVAILABLE, S3_ACCESS_DENIED, S3_BUCKET_MISSING, S3_REJECTED, GIT_REFUSED,
    GIT_UNAVAILABLE,
    // the packager's relinks: the archive is no longer in the bucket, or the rotation was never packaged
    ARCHIVE_GONE, NOT_PACKAGED,
    // the notifier
    LINK_EXPIRED, NO_VALID_RECIPIENT, RECIPIENT_REJECTED, SENDER_REJECTED, MESSAGE_REJECTED, SMTP_UNAVAILABLE,
    SMTP_TIMEOUT, SMTP_DEFERRED, SMTP_ERROR;

    private final String wire = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The code as records and metrics carry it: {@code invalid-json}. */
    public String wire() {
        return wire;
    }

    @Override
    public String toString() {
        return wire;
    }
}

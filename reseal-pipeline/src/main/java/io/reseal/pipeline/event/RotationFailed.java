package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Data of {@code io.reseal.rotation.failed.v1}: a record, or the rotation it stood for, could not be
 * processed. Says which stage gave up, why (a stable {@code errorCode} and a human message that never
 * holds a credential), and where the record came from. {@code rotationId} and {@code workflow} are
 * {@code null} when the record was too broken to tell.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RotationFailed(
        String stage,
        String errorCode,
        String message,
        String originTopic,
        Integer originPartition,
        Long originOffset,
        String rotationId,
        String workflow) {}

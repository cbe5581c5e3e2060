package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Data of {@code io.reseal.rotation.finishing.v1}: a request to finish a rotation, that is to revoke the
 * credentials its issuers kept valid while consumers switched ({@code ./reseal finish}, the API, or an issuer's
 * {@code revokePrevious.after}).
 *
 * @param requestedBy who asked (an API token's name, {@code cli}, {@code revokePrevious})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RotationFinishing(String rotationId, String workflow, String requestedBy) {}

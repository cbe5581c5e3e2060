package io.reseal.pipeline.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The versions of one issuer's credential in a rotation, as non-secret identifiers (for a database login, its
 * name): {@code pending} was made and tested by this rotation and is what was sealed; {@code current} is the one
 * consumers use until they have applied the package, valid until the rotation is finished; {@code null} when
 * there is none (the first rotation, or a strategy that keeps no previous credential).
 *
 * @param issuer the name of the issuer in {@code issuers:}
 * @param strategy how it rotates ({@code alternating-users}, {@code single-user}, ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IssuedVersions(String issuer, String strategy, String current, String pending) {}

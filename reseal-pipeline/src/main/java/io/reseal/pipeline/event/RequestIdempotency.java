package io.reseal.pipeline.event;

/**
 * {@code data.idempotency} of a requested event that the HTTP API published for a request with an
 * {@code Idempotency-Key}: what binds the key to the request, for every producer replica to read back from the
 * requested topic. Never the key itself, nor anything secret: the request's fields travel in the event anyway.
 *
 * @param keySha256 hex SHA-256 of the key, scoped to the API token that sent it
 * @param requestSha256 hex SHA-256 of the request's canonical content (field order, list order and white space
 *     do not count)
 */
public record RequestIdempotency(String keySha256, String requestSha256) {}

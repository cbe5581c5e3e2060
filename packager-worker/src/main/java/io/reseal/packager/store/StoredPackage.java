package io.reseal.packager.store;

/**
 * Where a package is stored. {@code uploaded} is false when an identical object (same key, same
 * SHA-256 metadata) was already there and nothing was written.
 */
public record StoredPackage(String bucket, String objectKey, long size, String sha256, String etag, boolean uploaded) {
}

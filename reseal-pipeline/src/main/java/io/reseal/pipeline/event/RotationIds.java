package io.reseal.pipeline.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.UUID;

/**
 * The rotation ids Reseal derives itself, for a scheduled slot and for a key renewal, so that every replica
 * that fires the same slot or notices the same renewal makes one rotation. They are name-based UUIDs of
 * version 5 (SHA-1), a version nothing else in Reseal makes (the API's ids are random or version 3), so a stage
 * can tell a reserved id from any other and insist that a request carrying one proves it: a record that merely
 * claims a future slot's id must not use it up. Stateless and thread-safe.
 */
public final class RotationIds {

    private RotationIds() {
    }

    /** The id of the scheduled rotation of {@code workflow} at {@code slot}. */
    public static String scheduled(String workflow, Instant slot) {
        return nameUuidV5("reseal-scheduled\n" + workflow + "\n" + slot);
    }

    /** The id of the key-renewal rotation of {@code workflow} after {@code cluster}'s key became {@code fingerprint}. */
    public static String keyRenewal(String cluster, String fingerprint, String workflow) {
        return nameUuidV5("key-renewal/" + cluster + "/" + fingerprint + "/" + workflow);
    }

    /** Whether {@code rotationId} has the form of an id this class derives (so a request must prove it). */
    public static boolean isReserved(String rotationId) {
        try {
            UUID uuid = UUID.fromString(rotationId);
            return uuid.version() == 5 && uuid.toString().equals(rotationId);
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static String nameUuidV5(String name) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-1").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every Java platform", e);
        }
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (hash[i] & 0xff);
            lsb = (lsb << 8) | (hash[i + 8] & 0xff);
        }
        return new UUID(msb, lsb).toString();
    }
}

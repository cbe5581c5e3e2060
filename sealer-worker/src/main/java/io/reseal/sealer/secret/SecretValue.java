package io.reseal.sealer.secret;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import javax.security.auth.Destroyable;

/**
 * The plaintext bytes of one credential value, the only form in which Reseal holds plaintext.
 *
 * <p>Guarantees: {@link #toString()} never shows the bytes (only their count); {@code equals} and
 * {@code hashCode} are identity-based, so a value never leaks through a hash or a comparison; the
 * bytes are copied in and copied out, so no caller can change them or keep a reference to them.
 * {@link #destroy()} overwrites the bytes with zeros; every later read throws
 * {@link IllegalStateException}.
 *
 * <p>Ownership and threads: whoever creates a value owns it and destroys it when done. Reads from
 * several threads are safe; destroying a value while another thread reads it is not.
 */
public final class SecretValue implements Destroyable {

    private final byte[] bytes;
    private volatile boolean destroyed;

    private SecretValue(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A value holding a copy of {@code bytes}; the caller keeps ownership of (and may wipe) the array. */
    public static SecretValue of(byte[] bytes) {
        return new SecretValue(Objects.requireNonNull(bytes, "bytes").clone());
    }

    /**
     * A value holding the UTF-8 encoding of {@code text}. Java strings cannot be wiped, so prefer
     * {@link #of(byte[])} for values that never were strings.
     */
    public static SecretValue ofUtf8(String text) {
        return new SecretValue(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh copy of the plaintext; the caller owns it and should wipe it after use. */
    public byte[] bytes() {
        requireNotDestroyed();
        return bytes.clone();
    }

    /** The number of plaintext bytes. */
    public int length() {
        requireNotDestroyed();
        return bytes.length;
    }

    /** Overwrites the plaintext with zeros. Idempotent. */
    @Override
    public void destroy() {
        destroyed = true;
        Arrays.fill(bytes, (byte) 0);
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** {@code SecretValue[***, 12 bytes]}, or {@code SecretValue[destroyed]}; never the bytes. */
    @Override
    public String toString() {
        return destroyed ? "SecretValue[destroyed]" : "SecretValue[***, " + bytes.length + " bytes]";
    }

    private void requireNotDestroyed() {
        if (destroyed) {
            throw new IllegalStateException("secret value was destroyed");
        }
    }
}

package io.reseal.sealer;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Hands out recorded byte strings, in order, one per {@code nextBytes} call of exactly their length. */
public final class RecordedRandom extends SecureRandom {

    private static final long serialVersionUID = 1L;
    private final transient Deque<byte[]> draws;

    public RecordedRandom(List<byte[]> draws) {
        this.draws = new ArrayDeque<>(draws);
    }

    @Override
    public synchronized void nextBytes(byte[] bytes) {
        byte[] next = draws.poll();
        if (next == null || next.length != bytes.length) {
            throw new IllegalStateException("unexpected draw of " + bytes.length + " random bytes");
        }
        System.arraycopy(next, 0, bytes, 0, bytes.length);
    }

    public synchronized boolean exhausted() {
        return draws.isEmpty();
    }
}

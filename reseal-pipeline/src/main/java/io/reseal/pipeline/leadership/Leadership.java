package io.reseal.pipeline.leadership;

/**
 * Whether this replica may do what only one replica at a time may do (fire schedules, publish adoption changes). Implementations are thread-safe; {@link #close()} gives up
 * leadership (if held) so another replica can take over.
 */
public interface Leadership extends AutoCloseable {

    boolean isLeader();

    @Override
    void close();

    /** For a single replica, or when no Kubernetes API is configured: always the leader. */
    static Leadership always() {
        return new Leadership() {
            @Override
            public boolean isLeader() {
                return true;
            }

            @Override
            public void close() {}
        };
    }
}

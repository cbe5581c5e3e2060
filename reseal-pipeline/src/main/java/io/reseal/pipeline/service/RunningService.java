package io.reseal.pipeline.service;

import java.util.function.BooleanSupplier;

/**
 * A started service as its process sees it: whether it still does its work, and how to stop it.
 * {@link #close()} stops the service and closes everything it opened.
 */
public interface RunningService extends AutoCloseable {

    /** {@code false} once the service can no longer work (a worker: its stage loop ended), so the process should end. */
    boolean isRunning();

    /** A running service stopped by {@code stop} and working while {@code running} holds. */
    static RunningService of(AutoCloseable stop, BooleanSupplier running) {
        return new RunningService() {
            @Override
            public boolean isRunning() {
                return running.getAsBoolean();
            }

            @Override
            public void close() throws Exception {
                stop.close();
            }
        };
    }
}

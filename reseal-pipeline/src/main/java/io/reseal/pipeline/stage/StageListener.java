package io.reseal.pipeline.stage;

import java.time.Duration;

/** Told what a {@link StageWorker} did with each record (for metrics). Called on the worker's thread; must not block. */
public interface StageListener {

    StageListener NONE = new StageListener() {
        @Override
        public void handled(String stage, String outcome, Duration latency) {}

        @Override
        public void retried(String stage) {}

        @Override
        public void reportedFailure(String stage, String errorCode) {}
    };

    /** A record was finished: {@code outcome} is {@code succeeded}, {@code failed}, {@code invalid} or {@code duplicate}. */
    void handled(String stage, String outcome, Duration latency);

    /** A retriable failure; the record will be tried again. */
    void retried(String stage);

    /**
     * A record was committed to the failed topic, by the loop or by the handler itself. {@code errorCode} is the
     * record's fixed error code ({@code invalid-json}, {@code recipient-rejected}, ...), never a message.
     */
    void reportedFailure(String stage, String errorCode);
}

package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.ErrorCode;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Why a transaction of stage outputs did not commit, sorted by what the loop must do about it, as the
 * {@code KafkaProducer} documentation sorts its errors:
 * <ul>
 *   <li>{@link #FATAL}: the producer can do nothing more (fenced by a newer instance, its transactional id or
 *       group not authorised, authentication failed); the loop ends and its supervisor restarts it;</li>
 *   <li>{@link #TOO_LARGE} and {@link #REJECTED}: this output can never be written (larger than the broker
 *       takes, cannot be serialised, its topic is not writable by this principal); its input becomes a small
 *       failed record;</li>
 *   <li>{@link #RETRIABLE}: anything that may pass (a timeout, too few in-sync replicas, a rebalance); the input
 *       is tried again until the retry deadline.</li>
 * </ul>
 */
enum PublishFailure {
    FATAL(null),
    TOO_LARGE(ErrorCode.OUTPUT_TOO_LARGE),
    REJECTED(ErrorCode.PUBLISH_REJECTED),
    RETRIABLE(ErrorCode.PUBLISH_FAILED);

    private final ErrorCode code;

    PublishFailure(ErrorCode code) {
        this.code = code;
    }

    /** The error code of the failed record this leads to; {@code null} for {@link #FATAL}. */
    ErrorCode code() {
        return code;
    }

    boolean permanent() {
        return this == TOO_LARGE || this == REJECTED;
    }

    /** The kind of {@code error}, judged by the first cause in its chain that tells. */
    static PublishFailure of(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ApplicationRecoverableException || cause instanceof OutOfOrderSequenceException
                    || cause instanceof TransactionalIdAuthorizationException
                    || cause instanceof ClusterAuthorizationException || cause instanceof GroupAuthorizationException
                    || cause instanceof FencedInstanceIdException || cause instanceof AuthenticationException
                    || cause instanceof UnsupportedVersionException) {
                return FATAL;
            }
            if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException) {
                return TOO_LARGE;
            }
            if (cause instanceof SerializationException || cause instanceof TopicAuthorizationException
                    || cause instanceof InvalidTopicException || cause instanceof InvalidRecordException) {
                return REJECTED;
            }
            if (cause instanceof RetriableException || cause instanceof TransactionAbortableException) {
                return RETRIABLE;
            }
            if (cause instanceof InvalidConfigurationException) {
                return FATAL;
            }
        }
        return RETRIABLE;
    }
}

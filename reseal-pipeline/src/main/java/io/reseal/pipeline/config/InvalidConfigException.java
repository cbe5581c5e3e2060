package io.reseal.pipeline.config;

/** The configuration cannot be used; the message names the key and why. Services refuse to start on it. */
public final class InvalidConfigException extends RuntimeException {

    public InvalidConfigException(String message) {
        super(message);
    }
}

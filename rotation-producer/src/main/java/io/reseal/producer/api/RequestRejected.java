package io.reseal.producer.api;

/**
 * Why the API refuses a request: an HTTP status, a stable machine-readable code, a message for people and
 * the request field at fault (or {@code null}). Messages never echo a token.
 */
final class RequestRejected extends Exception {

    private final int status;
    private final String code;
    private final String field;

    RequestRejected(int status, String code, String message, String field) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static RequestRejected badField(String code, String field, String message) {
        return new RequestRejected(400, code, message, field);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }
}

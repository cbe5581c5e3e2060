package io.reseal.producer.api;

/**
 * Why the API refuses a request: an HTTP status, a stable machine-readable code, a message for people and
 * the request field at fault (or {@code null}); for a refused caller (401, 403, 429) also the fixed word the
 * {@code reseal_api_denied_total} metric counts it under. Messages never echo a token.
 */
final class RequestRejected extends Exception {

    private final int status;
    private final String code;
    private final String field;
    private final String deniedBecause;

    RequestRejected(int status, String code, String message, String field) {
        this(status, code, message, field, code);
    }

    private RequestRejected(int status, String code, String message, String field, String deniedBecause) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.field = field;
        this.deniedBecause = deniedBecause;
    }

    /** A 403 for a token that may not act on the workflow (code {@code forbidden}). */
    static RequestRejected workflowNotAllowed(String message, String field) {
        return new RequestRejected(403, "forbidden", message, field, "workflow-not-allowed");
    }

    /** A 401: {@code no-token} when the request had no Authorization header, else {@code unknown-token}. */
    static RequestRejected unauthorized(boolean noToken) {
        return new RequestRejected(401, "unauthorized", noToken ? "send Authorization: Bearer <token>"
                : "the token is not valid", null, noToken ? "no-token" : "unknown-token");
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

    /** Why the caller was refused, as {@code reseal_api_denied_total} labels it (the code unless said otherwise). */
    String deniedBecause() {
        return deniedBecause;
    }
}

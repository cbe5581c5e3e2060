package io.reseal.notifier;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.reseal.notifier.mail.EmailAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * How the notifier reaches its SMTP server: the {@code smtp:} section of {@code reseal.yaml}. Immutable;
 * validated on construction with messages that name the field ({@code smtp.port}, ...). Absent optional
 * fields get their defaults: port 25, TLS mode {@link TlsMode#NONE} and a 30 s send timeout. How long a failed
 * notification is retried is the stage's {@code kafka.retryDeadline}, as for every stage. {@link #toString()} masks
 * the password.
 *
 * <p>Credentials are only accepted with {@link TlsMode#STARTTLS} or {@link TlsMode#TLS}: Reseal never
 * sends an SMTP password in clear text.
 *
 * @param host the SMTP server's host name or address
 * @param port its port, 1-65535 (default 25)
 * @param tls how the connection is protected (default {@code NONE})
 * @param username the login, or {@code null} for an open relay
 * @param password the password, required with {@code username}, never shown
 * @param from the envelope sender and {@code From:} address, a plain {@code local@domain}
 * @param sendTimeout how long one delivery attempt may take before it counts as failed and is retried
 */
public record NotifierConfig(
        String host,
        Integer port,
        TlsMode tls,
        String username,
        String password,
        String from,
        Duration sendTimeout) {

    public static final int DEFAULT_PORT = 25;
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

    public NotifierConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("smtp.host is required");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new IllegalArgumentException("smtp.host must be a host name or address, without whitespace");
        }
        port = port == null ? DEFAULT_PORT : port;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smtp.port must be between 1 and 65535, not " + port);
        }
        tls = tls == null ? TlsMode.NONE : tls;
        if (username != null && username.isEmpty()) {
            throw new IllegalArgumentException("smtp.username must not be empty (leave it out for no login)");
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(username == null
                    ? "smtp.password is set but smtp.username is not"
                    : "smtp.username is set but smtp.password is not");
        }
        if (username != null && tls == TlsMode.NONE) {
            throw new IllegalArgumentException(
                    "smtp.tls must be STARTTLS or TLS when smtp.username is set: the password is never sent in clear text");
        }
        if (from == null) {
            throw new IllegalArgumentException("smtp.from is required");
        }
        try {
            new EmailAddress(from);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("smtp.from: " + e.getMessage(), e);
        }
        sendTimeout = sendTimeout == null ? DEFAULT_SEND_TIMEOUT : sendTimeout;
        if (sendTimeout.isNegative() || sendTimeout.isZero()) {
            throw new IllegalArgumentException("smtp.sendTimeout must be positive, not " + sendTimeout);
        }
    }

    /** A configuration without login, with the default send timeout. */
    public static NotifierConfig open(String host, int port, TlsMode tls, String from) {
        return new NotifierConfig(host, port, tls, null, null, from, null);
    }

    /** Whether a login is configured. */
    public boolean hasCredentials() {
        return username != null;
    }

    @Override
    public String toString() {
        return "NotifierConfig[host=" + host + ", port=" + port + ", tls=" + tls + ", username=" + username
                + ", password=" + (password == null ? "null" : "****") + ", from=" + from
                + ", sendTimeout=" + sendTimeout + "]";
    }

    /** How the SMTP connection is protected. */
    public enum TlsMode {
        /** Plain SMTP; only for a relay on a trusted network (or a local catcher). */
        NONE,
        /** Plain connection upgraded with STARTTLS, which the server must offer (usually port 587). */
        STARTTLS,
        /** TLS from the first byte, "implicit TLS" (usually port 465). */
        TLS;

        /** Reads {@code none}, {@code starttls} or {@code tls} in any case. */
        @JsonCreator
        public static TlsMode of(String name) {
            return Arrays.stream(values())
                    .filter(m -> m.name().equals(name.toUpperCase(Locale.ROOT)))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            "smtp.tls must be NONE, STARTTLS or TLS, not '" + name + "'"));
        }
    }
}

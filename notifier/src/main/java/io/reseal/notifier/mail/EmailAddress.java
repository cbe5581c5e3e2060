package io.reseal.notifier.mail;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A plain {@code local@domain} mailbox address, safe to put in an SMTP envelope and a header: no
 * display name, no quoting, no comments, no whitespace or control characters, ASCII only. Immutable.
 * Two addresses are the same mailbox for Reseal when they are equal ignoring case ({@link #key()}).
 */
public record EmailAddress(String value) {

    private static final Pattern LOCAL = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
    private static final Pattern DOMAIN =
            Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    public EmailAddress {
        Objects.requireNonNull(value, "value");
        String reason = problemWith(value);
        if (reason != null) {
            throw new IllegalArgumentException("'" + printable(value) + "' is not a usable e-mail address: " + reason);
        }
    }

    /** The address lower-cased, for case-insensitive comparison. */
    public String key() {
        return value.toLowerCase(Locale.ROOT);
    }

    /** Why {@code candidate} is not a plain {@code local@domain} address, or {@code null} if it is one. */
    static String problemWith(String candidate) {
        if (candidate.isEmpty()) {
            return "it is empty";
        }
        if (candidate.indexOf('\r') >= 0 || candidate.indexOf('\n') >= 0) {
            return "it contains a line break";
        }
        if (candidate.chars().anyMatch(c -> Character.isISOControl(c))) {
            return "it contains a control character";
        }
        if (candidate.indexOf(',') >= 0 || candidate.indexOf(';') >= 0) {
            return "it contains a list separator (one address per entry)";
        }
        if (candidate.indexOf('<') >= 0 || candidate.indexOf('>') >= 0) {
            return "it contains an angle bracket (give the bare address, without a display name)";
        }
        if (candidate.chars().anyMatch(Character::isWhitespace)) {
            return "it contains whitespace";
        }
        int at = candidate.lastIndexOf('@');
        if (at <= 0 || at != candidate.indexOf('@') || at == candidate.length() - 1) {
            return "it is not of the form local@domain";
        }
        String local = candidate.substring(0, at);
        String domain = candidate.substring(at + 1);
        if (local.length() > 64 || !LOCAL.matcher(local).matches()) {
            return "the part before '@' is not a plain local part";
        }
        if (domain.length() > 253 || !DOMAIN.matcher(domain).matches()) {
            return "the part after '@' is not a domain name";
        }
        return null;
    }

    /** Shows {@code text} on one line, control characters written as Java escapes, for messages and logs. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    @Override
    public String toString() {
        return value;
    }
}

package io.reseal.embedded;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.user.UserManager;

/**
 * The replies {@link EmbeddedSmtp} gives to {@code RCPT TO} instead of accepting, by recipient address (compared
 * ignoring case). Thread-safe: a change applies to every {@code RCPT TO} that arrives after it.
 */
final class RecipientRejections {

    private final Map<String, String> replies = new ConcurrentHashMap<>();

    void reject(String address, int code, String text) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(text, "text");
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("a rejection is a 4xx (try later) or 5xx (refused) reply, was " + code);
        }
        if (text.isBlank() || text.contains("\r") || text.contains("\n")) {
            throw new IllegalArgumentException("the reply text must be one non-blank line, was '" + text + "'");
        }
        replies.put(key(address), code + " " + text);
    }

    void clear() {
        replies.clear();
    }

    /** GreenMail's managers for {@code store}'s mail, with an SMTP manager that answers {@code RCPT TO} from here. */
    Managers applyTo(Managers store) {
        SmtpManager smtp = new SmtpManager(store.getImapHostManager(), store.getUserManager()) {
            @Override
            public String checkRecipient(SmtpState state, MailAddress address) {
                return replies.get(key(address.getEmail()));
            }
        };
        return new Managers() {
            @Override
            public SmtpManager getSmtpManager() {
                return smtp;
            }

            @Override
            public UserManager getUserManager() {
                return store.getUserManager();
            }

            @Override
            public ImapHostManager getImapHostManager() {
                return store.getImapHostManager();
            }
        };
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}

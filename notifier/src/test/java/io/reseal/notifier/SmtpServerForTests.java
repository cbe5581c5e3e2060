package io.reseal.notifier;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.smtp.SmtpManager;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.smtp.SmtpState;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real SMTP server (GreenMail) on a free local port that stays the same across {@link #stop()} and
 * {@link #start()}, and that can answer {@code RCPT TO} for chosen addresses with a chosen reply, through
 * GreenMail's own hook {@link SmtpManager#checkRecipient}. To be replaced by {@code EmbeddedSmtp}.
 */
final class SmtpServerForTests implements AutoCloseable {

    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final int port;
    private final GreenMail greenMail;

    SmtpServerForTests() {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)) {
            @Override
            protected Map<String, AbstractServer> createServices(ServerSetup[] setups, Managers managers) {
                return Map.of(ServerSetup.PROTOCOL_SMTP, new SmtpServer(setups[0], new ReplyingManagers(managers)));
            }
        };
        greenMail.start();
    }

    int port() {
        return port;
    }

    /** From now on, answer {@code RCPT TO:<address>} with {@code reply} (e.g. {@code 550 5.1.1 no such user}). */
    void replyToRcpt(String address, String reply) {
        rcptReplies.put(address.toLowerCase(Locale.ROOT), reply);
    }

    /** Answer {@code RCPT TO:<address>} normally again. */
    void acceptRcpt(String address) {
        rcptReplies.remove(address.toLowerCase(Locale.ROOT));
    }

    MimeMessage[] received() {
        return greenMail.getReceivedMessages();
    }

    void stop() {
        greenMail.stop();
    }

    void start() {
        greenMail.start();
    }

    /** Forgets the received mail and the scripted replies. */
    void reset() {
        rcptReplies.clear();
        try {
            greenMail.purgeEmailFromAllMailboxes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }

    /** GreenMail's managers, with an SMTP manager that answers RCPT TO as scripted; mail lands in the same store. */
    private final class ReplyingManagers extends Managers {
        private final Managers store;
        private final SmtpManager smtp;

        ReplyingManagers(Managers store) {
            this.store = store;
            this.smtp = new SmtpManager(store.getImapHostManager(), store.getUserManager()) {
                @Override
                public String checkRecipient(SmtpState state, MailAddress address) {
                    return rcptReplies.get(address.getEmail().toLowerCase(Locale.ROOT));
                }
            };
        }

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
    }
}

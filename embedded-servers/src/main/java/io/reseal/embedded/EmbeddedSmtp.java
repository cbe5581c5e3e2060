package io.reseal.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.mail.MailAddress;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * An SMTP server (GreenMail) on {@code 127.0.0.1} that accepts mail for any recipient without authentication and
 * keeps it: one stored copy per recipient, like a real mail store.
 * <p>
 * A recipient can be made to fail like on a real server: {@link #rejectRecipient} makes {@code RCPT TO} for that
 * address get the given 4xx or 5xx reply, so that address gets no copy while the other recipients of the same
 * message do. Rejections hold across {@link #stop()}/{@link #start()} until {@link #clearRejections()}; they may be
 * changed from any thread, also while mail is arriving.
 * <p>
 * Received mail is held in memory until the next {@link #stop()}: GreenMail starts with an empty store, so after
 * {@link #start()} (same port) {@link #receivedMessages()} lists only what arrived since. When given a mail
 * directory, every delivered copy is also written there, as received, to {@code <sequence>-<recipient>.eml}
 * (numbered on from the files already there) before it is stored; this class never deletes those files.
 * Reading methods may be called from any thread.
 */
public final class EmbeddedSmtp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSmtp.class);
    private static final String HOST = "127.0.0.1";

    private final GreenMail greenMail;
    private final int port;
    private final Path mailDir;
    private final AtomicLong saved = new AtomicLong();
    private final RecipientRejections rejections = new RecipientRejections();
    private boolean running;

    /** A server on a free port that keeps mail in memory only. */
    public EmbeddedSmtp() {
        this(0, null);
    }

    /**
     * @param port the port, or 0 for a free one, kept across restarts
     * @param mailDir where each received copy is also saved as an {@code .eml} file (created when missing), or null
     */
    public EmbeddedSmtp(int port, Path mailDir) {
        this.port = FreePort.orGiven(port);
        this.mailDir = mailDir == null ? null : mailDir.toAbsolutePath();
        this.greenMail = new GreenMail(new ServerSetup(this.port, HOST, ServerSetup.PROTOCOL_SMTP)) {
            @Override
            protected Map<String, AbstractServer> createServices(ServerSetup[] setups, Managers fresh) {
                // one set of managers for the server and for GreenMail's own reads and waits
                managers = rejections.applyTo(fresh);
                return super.createServices(setups, managers);
            }
        };
    }

    public String host() {
        return HOST;
    }

    /** Known before the first start and stable across restarts. */
    public int port() {
        return port;
    }

    /** Where received mail is saved as {@code .eml} files, or null when it is kept in memory only. */
    public Path mailDir() {
        return mailDir;
    }

    /** Starts accepting mail, or accepts it again on the same port; does nothing when running. */
    public void start() {
        if (running) {
            return;
        }
        if (mailDir != null) {
            try {
                Files.createDirectories(mailDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create mail directory " + mailDir, e);
            }
        }
        greenMail.start();
        UserManager users = greenMail.getUserManager();
        if (mailDir != null && !(users.getMessageDeliveryHandler() instanceof SavingDeliveryHandler)) {
            users.setMessageDeliveryHandler(new SavingDeliveryHandler(users.getMessageDeliveryHandler()));
        }
        running = true;
        LOG.info("SMTP server started on {}:{}{}", HOST, port, mailDir == null ? "" : ", saving mail in " + mailDir);
    }

    /** Stops accepting mail, dropping the received messages (saved {@code .eml} files stay); idempotent. */
    public void stop() {
        if (!running) {
            return;
        }
        greenMail.stop();
        running = false;
        LOG.info("SMTP server on {}:{} stopped", HOST, port);
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * From now on, answers {@code RCPT TO} for {@code address} (ignoring case) with {@code code} and {@code text},
     * e.g. {@code 550, "5.1.1 no such user"} or {@code 451, "4.3.0 try again later"}; replaces an earlier rejection
     * of that address.
     *
     * @param code a 4xx (temporary) or 5xx (permanent) SMTP reply code
     * @param text the rest of the reply line, one non-blank line
     */
    public void rejectRecipient(String address, int code, String text) {
        rejections.reject(address, code, text);
        LOG.debug("SMTP server on {}:{} will answer RCPT TO:<{}> with {} {}", HOST, port, address, code, text);
    }

    /** From now on, accepts every recipient again. */
    public void clearRejections() {
        rejections.clear();
    }

    /** Every copy received since the last start, one per recipient, in order of arrival. */
    public List<MimeMessage> receivedMessages() {
        return List.of(greenMail.getReceivedMessages());
    }

    /**
     * Waits until at least {@code count} copies have been received since the last start.
     *
     * @return every copy received so far
     * @throws IllegalStateException when fewer arrived within {@code timeout}
     */
    public List<MimeMessage> waitForMessages(int count, Duration timeout) {
        if (!greenMail.waitForIncomingEmail(timeout.toMillis(), count)) {
            throw new IllegalStateException("expected " + count + " messages within " + timeout + ", received "
                    + greenMail.getReceivedMessages().length);
        }
        return receivedMessages();
    }

    /** Saves each delivered copy as an .eml file, then lets GreenMail's own handler store it. */
    private final class SavingDeliveryHandler implements MessageDeliveryHandler {

        private final MessageDeliveryHandler delegate;

        SavingDeliveryHandler(MessageDeliveryHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public GreenMailUser handle(MovingMessage message, MailAddress recipient)
                throws MessagingException, UserException {
            save(message.getMessage(), recipient.getEmail());
            return delegate.handle(message, recipient);
        }

        private void save(MimeMessage message, String recipient) throws MessagingException {
            String recipientPart = recipient.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9@._-]", "_");
            while (true) {
                Path file = mailDir.resolve(String.format("%06d-%s.eml", saved.incrementAndGet(), recipientPart));
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
                    message.writeTo(out);
                    LOG.debug("saved mail for {} as {}", recipient, file);
                    return;
                } catch (FileAlreadyExistsException fromAnEarlierRun) {
                    // numbering continues after the files already there
                } catch (IOException e) {
                    throw new MessagingException("cannot save received mail as " + file, e);
                }
            }
        }
    }
}

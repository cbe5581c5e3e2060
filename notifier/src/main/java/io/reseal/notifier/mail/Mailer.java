package io.reseal.notifier.mail;

import io.reseal.notifier.NotifierConfig;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.SMTPException;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link RotationMail}s over SMTP with the Vert.x mail client, blocking the calling thread until
 * the server has answered or the configured send timeout has passed. Must not be called from a Vert.x
 * event-loop thread.
 *
 * <p>Outcomes: when the server answered for each recipient, a {@link Delivery}: the recipients who got
 * the mail (once each) and those refused (possibly all of them refused for good: the caller decides
 * what that means). A recipient refused with a 4xx reply other than 421 is refused like one refused with
 * 5xx, so that one busy mailbox does not hold back everyone else's mail; only when nobody got the mail and
 * a refusal was temporary does the send throw {@link RetriableStageException} ({@code smtp-deferred}).
 * A refused connection, a timeout, a 421 (the server closing the session) or another 4xx reply, or a
 * server error outside the mail transaction throws {@link RetriableStageException}
 * ({@link PartialDeliveryException} if some recipients already got the mail). The sender or the message refused with 5xx throws
 * {@link PermanentStageException} ({@code sender-rejected}, {@code message-rejected}).
 *
 * <p>The Vert.x mail client aborts a whole transaction when one {@code RCPT TO} fails, without saying
 * which one; so the mail first goes to all recipients in one transaction and, only if a recipient was
 * refused, to each recipient in a transaction of its own.
 *
 * <p>Thread-safe. Owns its mail client and closes it in {@link #close()}; the Vert.x instance belongs to
 * the caller, who closes it after this mailer. Messages and logs never hold the SMTP password.
 */
public final class Mailer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Mailer.class);

    /** How vertx-mail-client words each phase's refusal (the prefix of its {@link SMTPException} message). */
    private static final String RCPT_REFUSED = "recipient address not accepted";
    private static final String SENDER_REFUSED = "sender address not accepted";
    private static final String DATA_REFUSED = "DATA command not accepted";
    private static final String MESSAGE_REFUSED = "sending data failed";
    /** RFC 5321's "service not available, closing transmission channel": about the server, not the recipient. */
    private static final int SERVICE_CLOSING = 421;

    private final MailClient client;
    private final String from;
    private final String server;
    private final Duration timeout;

    public Mailer(Vertx vertx, NotifierConfig config) {
        this.client = MailClient.create(vertx, mailConfig(config));
        this.from = config.from();
        this.server = config.host() + ":" + config.port();
        this.timeout = config.sendTimeout();
    }

    static MailConfig mailConfig(NotifierConfig config) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, config.sendTimeout().toMillis());
        MailConfig mail = new MailConfig(config.host(), config.port())
                .setStarttls(config.tls() == NotifierConfig.TlsMode.STARTTLS ? StartTLSOptions.REQUIRED : StartTLSOptions.DISABLED)
                .setSsl(config.tls() == NotifierConfig.TlsMode.TLS)
                .setHostnameVerificationAlgorithm("HTTPS")
                .setLogin(config.hasCredentials() ? LoginOption.REQUIRED : LoginOption.DISABLED)
                .setKeepAlive(false)
                .setAllowRcptErrors(false)
                .setConnectTimeout(timeoutMillis)
                .setIdleTimeout(timeoutMillis)
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
        if (config.hasCredentials()) {
            mail.setUsername(config.username()).setPassword(config.password());
        }
        return mail;
    }

    /**
     * Sends {@code mail} to its recipients.
     *
     * @return who got it and who was refused
     */
    public Delivery send(RotationMail mail) throws RetriableStageException, PermanentStageException {
        List<EmailAddress> to = mail.recipients();
        Refusal refusal = transmit(mail, to);
        if (refusal == null) {
            LOG.info("mail for rotation {} accepted by {} for {} recipient(s)", mail.rotationId(), server, to.size());
            return new Delivery(to, Map.of());
        }
        if (to.size() == 1) {
            LOG.info("{} refused the only recipient of rotation {}: {}", server, mail.rotationId(), refusal.reply());
            if (refusal.temporary()) {
                throw deferred(mail, refusal);
            }
            return new Delivery(List.of(), Map.of(to.get(0), refusal.reply()));
        }
        LOG.info("{} refused a recipient of rotation {} ({}); sending to each recipient separately",
                server, mail.rotationId(), refusal.reply());
        List<EmailAddress> delivered = new ArrayList<>();
        Map<EmailAddress, String> rejected = new LinkedHashMap<>();
        Refusal temporary = null;
        for (EmailAddress recipient : to) {
            Refusal reply;
            try {
                reply = transmit(mail, List.of(recipient));
            } catch (RetriableStageException e) {
                throw delivered.isEmpty() ? e : new PartialDeliveryException(e, delivered);
            }
            if (reply == null) {
                delivered.add(recipient);
            } else {
                rejected.put(recipient, reply.reply());
                temporary = reply.temporary() ? reply : temporary;
            }
        }
        if (delivered.isEmpty() && temporary != null) {
            throw deferred(mail, temporary);
        }
        LOG.info("mail for rotation {} accepted by {} for {} recipient(s), refused for {}",
                mail.rotationId(), server, delivered.size(), rejected.size());
        return new Delivery(delivered, rejected);
    }

    /** One SMTP transaction; returns the server's refusal of a recipient, {@code null} if it took the mail. */
    private Refusal transmit(RotationMail mail, List<EmailAddress> to)
            throws RetriableStageException, PermanentStageException {
        MailMessage message = new MailMessage()
                .setFrom(from)
                .setTo(to.stream().map(EmailAddress::value).toList())
                .setSubject(mail.subject())
                .setText(mail.text())
                .setHtml(mail.html())
                .addHeader("Message-ID", mail.messageId())
                .addHeader("Auto-Submitted", "auto-generated")
                .addHeader("X-Reseal-Rotation-Id", mail.rotationId());
        try {
            await(client.sendMail(message));
            return null;
        } catch (ExecutionException e) {
            return refusalOrThrow(mail, e.getCause());
        } catch (TimeoutException e) {
            throw new RetriableStageException(ErrorCode.SMTP_TIMEOUT,
                    server + " did not take the mail for rotation " + mail.rotationId() + " within " + timeout, e);
        }
    }

    private Refusal refusalOrThrow(RotationMail mail, Throwable cause)
            throws RetriableStageException, PermanentStageException {
        String about = " the mail for rotation " + mail.rotationId();
        if (!(cause instanceof SMTPException smtp)) {
            throw new RetriableStageException(ErrorCode.SMTP_UNAVAILABLE,
                    "could not send" + about + " through " + server + ": " + describe(cause), cause);
        }
        String reply = EmailAddress.printable(String.join(" ", smtp.getReplyMessages())).strip();
        String phase = String.valueOf(smtp.getMessage());
        if (phase.startsWith(RCPT_REFUSED) && smtp.getReplyCode() != SERVICE_CLOSING) {
            return new Refusal(reply, smtp);
        }
        if (!smtp.isPermanent()) {
            throw new RetriableStageException(ErrorCode.SMTP_DEFERRED, server + " deferred" + about + ": " + reply, smtp);
        }
        if (phase.startsWith(SENDER_REFUSED)) {
            throw new PermanentStageException(ErrorCode.SENDER_REJECTED,
                    server + " refused the sender " + from + " of" + about + ": " + reply, smtp);
        }
        if (phase.startsWith(DATA_REFUSED) || phase.startsWith(MESSAGE_REFUSED)) {
            throw new PermanentStageException(ErrorCode.MESSAGE_REJECTED, server + " refused" + about + ": " + reply, smtp);
        }
        // A 5xx outside the mail transaction (greeting, EHLO, STARTTLS, AUTH) is the server's or the
        // configuration's problem, not this rotation's: retry until an operator fixes it or the deadline passes.
        throw new RetriableStageException(ErrorCode.SMTP_ERROR, server + " refused the session for" + about + ": " + reply, smtp);
    }

    private RetriableStageException deferred(RotationMail mail, Refusal refusal) {
        return new RetriableStageException(ErrorCode.SMTP_DEFERRED,
                server + " deferred the mail for rotation " + mail.rotationId() + ": " + refusal.reply(), refusal.cause());
    }

    /** A recipient refused in {@code RCPT TO}: the server's printable reply and whether it may accept later (4xx). */
    private record Refusal(String reply, SMTPException cause) {
        boolean temporary() {
            return !cause.isPermanent();
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + EmailAddress.printable(message));
    }

    private <T> T await(Future<T> future) throws ExecutionException, TimeoutException, RetriableStageException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableStageException(ErrorCode.INTERRUPTED, "interrupted while sending mail through " + server, e);
        }
    }

    /** Closes the mail client (not the Vert.x instance), waiting up to the send timeout. */
    @Override
    public void close() {
        try {
            await(client.close());
        } catch (ExecutionException | TimeoutException | RetriableStageException e) {
            LOG.warn("closing the mail client for {} failed: {}", server, describe(e));
        }
    }
}

package io.reseal.notifier.mail;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.stage.PermanentStageException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes the e-mail for a {@code packaged} rotation from the templates {@code rotation.txt.mustache} and
 * {@code rotation.html.mustache} (resources next to this class). The HTML part is HTML-escaped, the text
 * part is not; in both, every value taken from the event is reduced to one line (control characters
 * become spaces), so no event field can start a header or forge lines of the mail. Shell arguments in
 * the commands are quoted when needed. The mail carries names (environments, secrets, keys), a link and
 * checksums, never a credential value: the event carries none.
 *
 * <p>Thread-safe: the templates are compiled once, at construction.
 */
public final class RotationMailComposer {

    static final String PUBLIC_KEY_FILE = "package-signing.pub.pem";

    private static final Pattern ROTATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9._/@%+=:,-]+");
    private static final DateTimeFormatter HUMAN =
            DateTimeFormatter.ofPattern("EEEE d MMMM uuuu, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private final MailTemplates templates = MailTemplates.named("rotation");

    /**
     * The mail announcing {@code event}, as of {@code now} (which only words the remaining validity).
     *
     * @throws PermanentStageException {@code invalid-event} when a field the mail needs is missing or
     *     malformed, {@code no-valid-recipient} when no address of the event can be used
     */
    public RotationMail compose(RotationPackaged event, Instant now) throws PermanentStageException {
        String rotationId = required(event.rotationId(), "rotationId");
        if (!ROTATION_ID.matcher(rotationId).matches()) {
            throw invalid("rotationId '" + EmailAddress.printable(rotationId)
                    + "' must be letters, digits, '.', '_' or '-' (it names the Message-ID)");
        }
        String workflow = oneLine(required(event.workflow(), "workflow"));
        String archiveName = oneLine(required(event.archiveName(), "archiveName"));
        String url = downloadUrl(event.downloadUrl());
        if (event.expiresAt() == null) {
            throw invalid("expiresAt is missing");
        }
        String sha256 = required(event.sha256(), "sha256");
        if (!SHA256.matcher(sha256).matches()) {
            throw invalid("sha256 must be 64 hexadecimal digits");
        }

        List<EmailAddress> recipients = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        collectRecipients(event, recipients, unusable);
        if (recipients.isEmpty()) {
            throw new PermanentStageException(ErrorCode.NO_VALID_RECIPIENT,
                    "rotation " + rotationId + " has no usable recipient: " + String.join("; ", unusable));
        }

        List<String> envNames = event.environments().stream().map(e -> oneLine(e.name())).toList();
        String subject = "[Reseal] New sealed secrets for " + workflow
                + (envNames.isEmpty() ? "" : " (" + String.join(", ", envNames) + ")");

        Map<String, Object> view = new LinkedHashMap<>();
        view.put("workflow", workflow);
        view.put("rotationId", rotationId);
        view.put("trigger", event.trigger() == null ? "unspecified" : event.trigger().wireName());
        view.put("reason", event.reason() == null || event.reason().isBlank() ? "(none given)" : oneLine(event.reason()));
        view.put("requestor", oneLine(String.valueOf(event.requestor())));
        view.put("requestedAt", event.requestedAt() == null ? null : event.requestedAt().toString());
        view.put("environments", event.environments().stream().map(RotationMailComposer::environmentView).toList());
        view.put("git", gitView(event.git()));
        view.put("downloadUrl", url);
        view.put("expiresIso", event.expiresAt().truncatedTo(ChronoUnit.SECONDS).toString());
        view.put("expiresHuman", HUMAN.format(event.expiresAt()));
        view.put("expiresIn", remaining(now, event.expiresAt()));
        view.put("archiveName", archiveName);
        view.put("size", event.size());
        view.put("sha256", sha256.toLowerCase(Locale.ROOT));
        view.put("signerKeyFingerprint",
                event.signerKeyFingerprint() == null ? "(not given)" : oneLine(event.signerKeyFingerprint()));
        view.put("publicKeyFile", PUBLIC_KEY_FILE);
        view.put("downloadCommand", "curl -fo " + shellWord(archiveName) + " " + singleQuoted(url));
        view.put("checksumCommand", "sha256sum " + shellWord(archiveName));
        view.put("verifyCommand", "./reseal verify " + shellWord(archiveName) + " --pubkey " + PUBLIC_KEY_FILE);
        view.put("extractCommand", "tar xzf " + shellWord(archiveName));
        view.put("opensslCommand", "openssl pkeyutl -verify -pubin -inkey " + PUBLIC_KEY_FILE
                + " -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig");

        return new RotationMail(rotationId, "<rotation-" + rotationId + "@reseal>", subject,
                templates.text(view), templates.html(view), recipients, unusable);
    }

    /** Where the rotation is in the team's repository (or why it is not), for the templates; null without Git. */
    private static Map<String, Object> gitView(RotationPackaged.GitDelivery git) {
        if (git == null) return null;
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("repository", oneLine(String.valueOf(git.repository())));
        view.put("branch", oneLine(String.valueOf(git.branch())));
        view.put("committed", git.commit() != null);
        view.put("commit", git.commit() == null ? null : oneLine(git.commit()));
        view.put("targetBranch", git.targetBranch() == null ? null : oneLine(git.targetBranch()));
        view.put("refused", git.commit() == null);
        view.put("failure", git.failure() == null ? "(no reason given)" : oneLine(git.failure()));
        return view;
    }

    private static void collectRecipients(RotationPackaged event, List<EmailAddress> into, List<String> unusable) {
        Map<String, EmailAddress> byKey = new LinkedHashMap<>();
        List<String> candidates = new ArrayList<>();
        candidates.add(event.requestor());
        candidates.addAll(event.recipients());
        for (String candidate : candidates) {
            if (candidate == null) {
                continue;
            }
            try {
                EmailAddress address = new EmailAddress(candidate.strip());
                byKey.putIfAbsent(address.key(), address);
            } catch (IllegalArgumentException e) {
                unusable.add(e.getMessage());
            }
        }
        into.addAll(byKey.values());
    }

    private static Map<String, Object> environmentView(RotationPackaged.Environment env) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", oneLine(env.name()));
        view.put("namespace", oneLine(env.namespace()));
        view.put("cluster", oneLine(env.cluster()));
        view.put("applyCommand", "kubectl apply -k " + shellWord(oneLine(env.name()) + "/"));
        view.put("secrets", env.secrets().stream().map(s -> {
            Map<String, Object> secret = new LinkedHashMap<>();
            secret.put("name", oneLine(s.name()));
            secret.put("type", oneLine(s.type()));
            secret.put("keys", s.keys().stream().map(RotationMailComposer::oneLine).collect(Collectors.joining(", ")));
            return secret;
        }).toList());
        return view;
    }

    private static String downloadUrl(String raw) throws PermanentStageException {
        required(raw, "downloadUrl");
        URI uri;
        try {
            uri = new URI(raw);
        } catch (java.net.URISyntaxException e) {
            throw invalid("downloadUrl is not a valid URL: " + EmailAddress.printable(e.getReason()));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw invalid("downloadUrl must be an absolute http(s) URL");
        }
        return raw;
    }

    /** "in 6 days 23 hours", "in 42 minutes": how long the link stays valid, to the minute. */
    static String remaining(Instant now, Instant expiresAt) {
        Duration left = Duration.between(now, expiresAt);
        if (left.isNegative() || left.isZero()) {
            return "already expired";
        }
        long days = left.toDays();
        long hours = left.toHoursPart();
        long minutes = left.toMinutesPart();
        if (days > 0) {
            return "in " + plural(days, "day") + (hours > 0 ? " " + plural(hours, "hour") : "");
        }
        if (hours > 0) {
            return "in " + plural(hours, "hour") + (minutes > 0 ? " " + plural(minutes, "minute") : "");
        }
        return "in " + plural(Math.max(minutes, 1), "minute");
    }

    private static String plural(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    /** {@code value} with every control, format and line/paragraph separator character replaced by a space. */
    static String oneLine(String value) {
        if (value == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(value.length());
        value.codePoints().forEach(c -> {
            int type = Character.getType(c);
            boolean breaksLines = type == Character.CONTROL || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
            out.appendCodePoint(breaksLines ? ' ' : c);
        });
        return out.toString();
    }

    /** {@code word} as one POSIX shell word: unchanged when it is plainly safe, else single-quoted. */
    static String shellWord(String word) {
        return SHELL_SAFE.matcher(word).matches() ? word : singleQuoted(word);
    }

    private static String singleQuoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String required(String value, String field) throws PermanentStageException {
        if (value == null || value.isBlank()) {
            throw invalid(field + " is missing");
        }
        return value;
    }

    private static PermanentStageException invalid(String message) {
        return new PermanentStageException(ErrorCode.INVALID_EVENT, "the packaged event cannot be mailed: " + message);
    }
}

package io.reseal.notifier.mail;

import io.reseal.pipeline.event.RotationRelinked;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The e-mails after a rotation's first one, from the notifier's templates: the one on {@code decryption-failed},
 * naming namespace, cluster and the controller's message, with what to do; the reminder to a namespace that has not
 * applied the rotation before its deadline or its link's expiry; and the fresh link of a relink. The
 * {@code Message-ID} is stable per mail kind, rotation, cluster and namespace (per relink request for a relink).
 * Holds no value; thread-safe.
 */
public final class AdoptionMailComposer {

    private final MailTemplates decryptionFailed = MailTemplates.named("decryption-failed");
    private final MailTemplates notApplied = MailTemplates.named("not-applied");
    private final MailTemplates relinked = MailTemplates.named("relinked");

    /**
     * The mail to a namespace's contacts and the requestor when its controller could not decrypt the rotation.
     * Addresses that are not usable are left out and listed in {@link RotationMail#unusableRecipients()}.
     */
    public RotationMail decryptionFailed(String rotationId, String workflow, String environment, String namespace,
                                         String cluster, String message, List<String> recipients) {
        Map<String, Object> view = view(rotationId, workflow, environment, namespace, cluster);
        view.put("message", message == null ? "(no message)" : message.replaceAll("\\p{Cntrl}", " "));
        String subject = "[reseal] " + workflow + ": secrets cannot be decrypted in " + namespace + " on " + cluster;
        return mail(decryptionFailed, messageId("decryption-failed", view), view, subject, recipients);
    }

    /**
     * The one reminder to a namespace's contacts and the requestor that the rotation is not applied there, before
     * {@code at}: the deadline after which the previous credential is revoked ({@code linkExpiry} false), or the
     * expiry of the download link ({@code linkExpiry} true). Unusable addresses are handled as above.
     */
    public RotationMail notApplied(String rotationId, String workflow, String environment, String namespace,
                                   String cluster, boolean linkExpiry, Instant at, List<String> recipients) {
        Map<String, Object> view = view(rotationId, workflow, environment, namespace, cluster);
        view.put("at", at.toString());
        view.put(linkExpiry ? "linkExpiry" : "deadline", Boolean.TRUE);
        String subject = "[reseal] " + workflow + ": apply the new secrets in " + namespace + " on " + cluster
                + (linkExpiry ? " before the link expires at " : " before ") + at;
        return mail(notApplied, messageId("not-applied", view), view, subject, recipients);
    }

    /**
     * The mail with a relink's fresh download link, to the recipients of the rotation's first mail (the requestor
     * and the namespaces' contacts). Unusable addresses are handled as above.
     */
    public RotationMail relinked(RotationRelinked relink) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("rotationId", relink.rotationId());
        view.put("workflow", relink.workflow());
        view.put("requestedBy", relink.requestedBy());
        view.put("downloadUrl", relink.downloadUrl());
        view.put("expiresAt", relink.expiresAt().toString());
        view.put("archiveName", relink.archiveName());
        view.put("sha256", relink.sha256());
        String subject = "[reseal] " + relink.workflow() + ": a fresh download link for rotation " + relink.rotationId();
        return mail(relinked, "<relink-" + relink.relinkId() + "@reseal>", view, subject, relink.recipients());
    }

    private static Map<String, Object> view(String rotationId, String workflow, String environment, String namespace,
                                            String cluster) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("rotationId", rotationId);
        view.put("workflow", workflow);
        view.put("environment", environment);
        view.put("namespace", namespace);
        view.put("cluster", cluster);
        return view;
    }

    private static String messageId(String kind, Map<String, Object> view) {
        return "<" + kind + "-" + view.get("rotationId") + "-" + view.get("cluster") + "-" + view.get("namespace")
                + "@reseal>";
    }

    private static RotationMail mail(MailTemplates templates, String messageId, Map<String, Object> view,
                                     String subject, List<String> recipients) {
        List<EmailAddress> to = new ArrayList<>();
        List<String> unusable = new ArrayList<>();
        for (String candidate : recipients) {
            try {
                EmailAddress address = new EmailAddress(candidate);
                if (to.stream().noneMatch(a -> a.key().equals(address.key()))) to.add(address);
            } catch (IllegalArgumentException e) {
                unusable.add(e.getMessage());
            }
        }
        return new RotationMail((String) view.get("rotationId"), messageId, subject.replaceAll("\\p{Cntrl}", " "),
                templates.text(view), templates.html(view), to, unusable);
    }
}

package io.reseal.notifier.mail;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The e-mails about a rotation's adoption in the clusters, from the notifier's templates: the one on
 * {@code decryption-failed}, naming namespace, cluster and the controller's message, with what to do; and the
 * reminder to a namespace that has not applied the rotation before its deadline or its link's expiry. The
 * {@code Message-ID} is stable per mail kind, rotation, cluster and namespace. Holds no value; thread-safe.
 */
public final class AdoptionMailComposer {

    private final MailTemplates decryptionFailed = MailTemplates.named("decryption-failed");
    private final MailTemplates notApplied = MailTemplates.named("not-applied");

    /**
     * The mail to a namespace's contacts and the requestor when its controller could not decrypt the rotation.
     * Addresses that are not usable are left out and listed in {@link RotationMail#unusableRecipients()}.
     */
    public RotationMail decryptionFailed(String rotationId, String workflow, String environment, String namespace,
                                         String cluster, String message, List<String> recipients) {
        Map<String, Object> view = view(rotationId, workflow, environment, namespace, cluster);
        view.put("message", message == null ? "(no message)" : message.replaceAll("\\p{Cntrl}", " "));
        String subject = "[reseal] " + workflow + ": secrets cannot be decrypted in " + namespace + " on " + cluster;
        return mail(decryptionFailed, "decryption-failed", view, subject, recipients);
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
        return mail(notApplied, "not-applied", view, subject, recipients);
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

    private static RotationMail mail(MailTemplates templates, String kind, Map<String, Object> view, String subject,
                                     List<String> recipients) {
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
        String rotationId = (String) view.get("rotationId");
        return new RotationMail(rotationId, "<" + kind + "-" + rotationId + "-" + view.get("cluster") + "-"
                + view.get("namespace") + "@reseal>", subject.replaceAll("\\p{Cntrl}", " "), templates.text(view),
                templates.html(view), to, unusable);
    }
}

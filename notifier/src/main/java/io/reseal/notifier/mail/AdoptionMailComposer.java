package io.reseal.notifier.mail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The e-mails about a rotation's adoption in the clusters, from the notifier's templates: today the one on
 * {@code decryption-failed}, naming namespace, cluster and the controller's message, with what to do. The
 * {@code Message-ID} is stable per rotation, cluster and namespace. Holds no value; thread-safe.
 */
public final class AdoptionMailComposer {

    private final MailTemplates templates = MailTemplates.named("decryption-failed");

    /**
     * The mail to a namespace's contacts and the requestor when its controller could not decrypt the rotation.
     * Addresses that are not usable are left out and listed in {@link RotationMail#unusableRecipients()}.
     */
    public RotationMail decryptionFailed(String rotationId, String workflow, String environment, String namespace,
                                         String cluster, String message, List<String> recipients) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("rotationId", rotationId);
        view.put("workflow", workflow);
        view.put("environment", environment);
        view.put("namespace", namespace);
        view.put("cluster", cluster);
        view.put("message", message == null ? "(no message)" : message.replaceAll("\\p{Cntrl}", " "));
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
        String subject = "[reseal] " + workflow + ": secrets cannot be decrypted in " + namespace + " on " + cluster;
        return new RotationMail(rotationId, "<decryption-failed-" + rotationId + "-" + cluster + "-" + namespace + "@reseal>",
                subject.replaceAll("\\p{Cntrl}", " "), templates.text(view), templates.html(view), to, unusable);
    }
}

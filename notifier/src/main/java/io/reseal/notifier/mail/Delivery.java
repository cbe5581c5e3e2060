package io.reseal.notifier.mail;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What became of one {@link Mailer#send send}: the recipients the SMTP server accepted the mail for,
 * and those it refused for good, each with the server's reply. Immutable.
 */
public record Delivery(List<EmailAddress> delivered, Map<EmailAddress, String> rejected) {

    public Delivery {
        delivered = List.copyOf(delivered);
        rejected = Collections.unmodifiableMap(new LinkedHashMap<>(rejected));
    }

    /** The refused recipients with the server's replies, {@code a@x (550 5.1.1 no such user), ...}, for failure messages. */
    public String describeRejected() {
        return rejected.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
    }
}

package io.reseal.pipeline.event;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The SHA-256 fingerprint of a sealing certificate (of its DER encoding) as Reseal writes it everywhere: 64
 * lower-case hex digits. {@link #parse} also reads the forms people copy from other tools. Stateless.
 */
public final class CertificateFingerprint {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX_WITH_COLONS = Pattern.compile("[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}");

    private CertificateFingerprint() {
    }

    /** Whether {@code text} is a fingerprint in Reseal's own form (64 lower-case hex digits). */
    public static boolean isCanonical(String text) {
        return text != null && HEX.matcher(text).matches();
    }

    /**
     * Reads {@code SHA256:<hex>} (upper or lower case, with or without colons, as {@code openssl x509 -fingerprint}
     * prints it) or {@code SHA256:<base64>} (with or without padding), or Reseal's own 64 hex digits without the
     * prefix.
     *
     * @return the 64 lower-case hex digits
     * @throws IllegalArgumentException saying which forms are understood (the text itself is not secret and is
     *     not quoted either, so a pasted wrong value does not end up in a log)
     */
    public static String parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a fingerprint needs a value: SHA256:<64 hex digits or base64>");
        }
        String value = text.strip();
        if (isCanonical(value)) {
            return value;
        }
        if (value.length() > 7 && value.substring(0, 7).equalsIgnoreCase("SHA256:")) {
            String digest = value.substring(7);
            if (HEX_WITH_COLONS.matcher(digest).matches()) {
                return digest.replace(":", "").toLowerCase(Locale.ROOT);
            }
            try {
                byte[] bytes = Base64.getDecoder().decode(pad(digest));
                if (bytes.length == 32) {
                    return HexFormat.of().formatHex(bytes);
                }
            } catch (IllegalArgumentException e) {
                // not base64 either: the message below says what is
            }
        }
        throw new IllegalArgumentException("a fingerprint must be SHA256:<64 hex digits> or SHA256:<base64 of 32 bytes>");
    }

    private static String pad(String base64) {
        return base64.length() % 4 == 0 ? base64 : base64 + "=".repeat(4 - base64.length() % 4);
    }
}

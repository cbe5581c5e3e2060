package io.reseal.sealer.values;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A generated credential: drawn from {@link SecureRandom}, fresh for every rotation.
 *
 * @param kind {@code password} (letters, digits, symbols), {@code token} (letters and digits),
 *     {@code hex} ({@code length} hex characters) or {@code base64} ({@code length} random bytes, encoded)
 * @param length characters for password/token/hex, bytes for base64; 8 to 4096, default 32
 * @param alphabet replaces the kind's alphabet for password and token
 */
public record Generator(Kind kind, Integer length, String alphabet) {

    private static final String LETTERS_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String SYMBOLS = "-_.~!@#%^*+=";

    public Generator {
        if (kind == null) throw new IllegalArgumentException("generate.kind is required: password, token, hex or base64");
        length = length == null ? 32 : length;
        if (length < 8 || length > 4096) throw new IllegalArgumentException("generate.length must be 8 to 4096");
        if (alphabet != null) {
            if (kind == Kind.HEX || kind == Kind.BASE64) {
                throw new IllegalArgumentException("generate.alphabet applies to password and token only");
            }
            if (alphabet.codePoints().distinct().count() < 16 || alphabet.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw new IllegalArgumentException("generate.alphabet needs at least 16 distinct printable ASCII characters");
            }
        }
    }

    /** A fresh value. The caller owns the returned array (wipe it when done). */
    public byte[] generate(SecureRandom random) {
        return switch (kind) {
            case PASSWORD -> pick(random, alphabet != null ? alphabet : LETTERS_DIGITS + SYMBOLS);
            case TOKEN -> pick(random, alphabet != null ? alphabet : LETTERS_DIGITS);
            case HEX -> {
                byte[] bytes = new byte[(length + 1) / 2];
                random.nextBytes(bytes);
                yield HexFormat.of().formatHex(bytes).substring(0, length).getBytes(StandardCharsets.US_ASCII);
            }
            case BASE64 -> {
                byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                yield Base64.getEncoder().encode(bytes);
            }
        };
    }

    private byte[] pick(SecureRandom random, String from) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) from.charAt(random.nextInt(from.length()));
        }
        return out;
    }

    /** The generator kinds. */
    public enum Kind {
        PASSWORD, TOKEN, HEX, BASE64;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @JsonCreator
        public static Kind of(String name) {
            for (Kind kind : values()) {
                if (kind.wireName().equals(name)) return kind;
            }
            throw new IllegalArgumentException("unknown generator kind '" + name + "': expected password, token, hex or base64");
        }
    }
}

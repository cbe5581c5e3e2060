package io.reseal.packager.archive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code SHA256SUMS} file in GNU {@code sha256sum} text format: {@code <hex>  <path>\n}, sorted by path. */
final class Sha256Sums {

    static final String FILE = "SHA256SUMS";
    static final String SIGNATURE_FILE = "SHA256SUMS.sig";

    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64})  (\\S.*)");

    private Sha256Sums() {
    }

    /** The file's text for {@code files}, in their (sorted) order. */
    static String render(SortedMap<String, byte[]> files) {
        StringBuilder out = new StringBuilder();
        files.forEach((path, content) -> out.append(hex(content)).append("  ").append(path).append('\n'));
        return out.toString();
    }

    /**
     * Parses the file into path -> expected hex digest.
     *
     * @throws IllegalArgumentException naming the first line that is not {@code <64 hex>  <path>}
     */
    static Map<String, String> parse(byte[] content) {
        Map<String, String> sums = new LinkedHashMap<>();
        String[] lines = new String(content, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty() && i == lines.length - 1) {
                break;
            }
            Matcher line = LINE.matcher(lines[i]);
            if (!line.matches() || sums.put(line.group(2), line.group(1)) != null) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not '<sha256 hex>  <path>' for a new path");
            }
        }
        return sums;
    }

    static String hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}

package io.reseal.cli.evidence;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Looks for plaintext credential values in text and bytes: each value as is, and in the encodings a
 * careless component would put it in (standard and URL-safe base64, as in a Secret's {@code data}). A hit
 * names where it was found and which value (by position, never the value itself), so a failing test does not
 * print the credential it caught. Immutable.
 */
final class LeakScanner {

    private final List<String> values;
    private final List<byte[]> needles = new ArrayList<>();
    private final List<Integer> owners = new ArrayList<>();

    LeakScanner(Set<String> plaintextValues) {
        this.values = List.copyOf(plaintextValues);
        for (int i = 0; i < values.size(); i++) {
            byte[] raw = values.get(i).getBytes(StandardCharsets.UTF_8);
            Set<String> forms = new LinkedHashSet<>(List.of(values.get(i),
                    Base64.getEncoder().encodeToString(raw),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(raw)));
            for (String form : forms) {
                needles.add(form.getBytes(StandardCharsets.UTF_8));
                owners.add(i);
            }
        }
    }

    int valueCount() {
        return values.size();
    }

    /** Which values show in {@code content} (named {@code where}), each once, as "where: value #n". */
    List<String> hits(String where, byte[] content) {
        Set<String> hits = new LinkedHashSet<>();
        for (int n = 0; n < needles.size(); n++) {
            if (indexOf(content, needles.get(n)) >= 0) {
                hits.add(where + ": value #" + owners.get(n));
            }
        }
        return List.copyOf(hits);
    }

    List<String> hits(String where, String content) {
        return hits(where, content.getBytes(StandardCharsets.UTF_8));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}

package io.reseal.sealer.manifest;

import java.util.ArrayList;
import java.util.List;

/**
 * The map key order of go-yaml v2 ({@code sorter.go}), which kubeseal's YAML output goes through
 * ({@code sigs.k8s.io/yaml.JSONToYAML}). It is not plain string order: at the first difference a
 * non-letter sorts before a letter, and runs of digits compare by numeric value ({@code a2 < a10}).
 */
final class GoYamlKeyOrder {

    private GoYamlKeyOrder() {
    }

    /**
     * The keys in go-yaml order. An insertion sort, because go-yaml's comparison is not guaranteed
     * to be a total order for odd keys, which the JDK's sort may reject; key lists are short.
     */
    static List<String> sorted(Iterable<String> keys) {
        List<String> sorted = new ArrayList<>();
        for (String key : keys) {
            int i = sorted.size();
            while (i > 0 && less(key, sorted.get(i - 1))) {
                i--;
            }
            sorted.add(i, key);
        }
        return sorted;
    }

    /** go-yaml's {@code keyList.Less} for two strings. */
    static boolean less(String a, String b) {
        int[] ar = a.codePoints().toArray();
        int[] br = b.codePoints().toArray();
        for (int i = 0; i < ar.length && i < br.length; i++) {
            if (ar[i] == br[i]) {
                continue;
            }
            boolean al = Character.isLetter(ar[i]);
            boolean bl = Character.isLetter(br[i]);
            if (al && bl) {
                return ar[i] < br[i];
            }
            if (al || bl) {
                return bl;
            }
            long an = 0;
            long bn = 0;
            if (ar[i] == '0' || br[i] == '0') {
                for (int j = i - 1; j >= 0 && Character.isDigit(ar[j]); j--) {
                    if (ar[j] != '0') {
                        an = 1;
                        bn = 1;
                        break;
                    }
                }
            }
            int ai = i;
            for (; ai < ar.length && Character.isDigit(ar[ai]); ai++) {
                an = an * 10 + (ar[ai] - '0');
            }
            int bi = i;
            for (; bi < br.length && Character.isDigit(br[bi]); bi++) {
                bn = bn * 10 + (br[bi] - '0');
            }
            if (an != bn) {
                return an < bn;
            }
            if (ai != bi) {
                return ai < bi;
            }
            return ar[i] < br[i];
        }
        return ar.length < br.length;
    }
}

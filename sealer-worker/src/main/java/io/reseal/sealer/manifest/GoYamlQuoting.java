package io.reseal.sealer.manifest;

import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.math.BigInteger;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Double-quotes exactly the strings go-yaml v2 double-quotes: those its YAML 1.1 resolver would
 * read back as something other than a string (booleans such as {@code "true"} or {@code "on"},
 * nulls, numbers, timestamps, base-60 floats). Everything else is left to the emitter, which (like
 * libyaml) writes it plain or single-quoted as its syntax requires.
 */
final class GoYamlQuoting extends StringQuotingChecker {

    private static final long serialVersionUID = 1L;

    private static final Set<String> RESERVED = Set.of(
            "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
            "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
            "", "~", "null", "Null", "NULL",
            ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
            "<<");
    private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    private static final Pattern BASE_60_FLOAT = Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");
    private static final Pattern TIMESTAMP = Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
            + "(?:[Tt][0-9]{2}:[0-9]{1,2}:[0-9]{1,2}(?:\\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
            + "| [0-9]{2}:[0-9]{1,2}:[0-9]{1,2}(?:\\.[0-9]+)?)?");

    @Override
    public boolean needToQuoteName(String name) {
        return readsAsNonString(name);
    }

    @Override
    public boolean needToQuoteValue(String value) {
        return readsAsNonString(value);
    }

    static boolean readsAsNonString(String s) {
        if (RESERVED.contains(s) || BASE_60_FLOAT.matcher(s).matches()) {
            return true;
        }
        char first = s.charAt(0);
        if (first == '.') {
            return FLOAT.matcher(s).matches();
        }
        if (first != '+' && first != '-' && (first < '0' || first > '9')) {
            return false;
        }
        if (TIMESTAMP.matcher(s).matches()) {
            return true;
        }
        String plain = s.replace("_", "");
        return isGoInteger(plain) || FLOAT.matcher(plain).matches();
    }

    /** Go's {@code strconv.ParseInt(s, 0, 64)} or {@code ParseUint(s, 0, 64)} would accept it. */
    private static boolean isGoInteger(String s) {
        boolean signed = s.startsWith("-") || s.startsWith("+");
        String digits = signed ? s.substring(1) : s;
        int radix = 10;
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            switch (Character.toLowerCase(digits.charAt(1))) {
                case 'x' -> { radix = 16; digits = digits.substring(2); }
                case 'o' -> { radix = 8; digits = digits.substring(2); }
                case 'b' -> { radix = 2; digits = digits.substring(2); }
                default -> { radix = 8; digits = digits.substring(1); }
            }
        }
        int base = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c < 128 && Character.digit(c, base) >= 0)) {
            return false;
        }
        BigInteger value = new BigInteger(digits, base);
        return signed ? value.bitLength() <= 63 || (s.startsWith("-") && value.equals(BigInteger.ONE.shiftLeft(63)))
                : value.bitLength() <= 64;
    }
}

package saelab.text;

import java.util.Locale;

/**
 * Python's string whitespace and case rules, which the reference tokenizers rely on: {@code str.isspace},
 * {@code str.strip()}, {@code re.sub(r"\s+", " ", s)} and {@code str.lower()}. Java's own {@code \s} and
 * {@code String.strip} use other whitespace sets (Java's {@code strip} misses U+00A0, {@code \s} is ASCII).
 */
final class PyStrings {

    /** The characters of Python's {@code str.isspace()}, as a regex character-class body. */
    static final String WHITESPACE_CLASS = "\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

    private PyStrings() {}

    /** Python's {@code str.isspace()} for one code point (bidirectional class WS, B or S, or category Zs). */
    static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Every run of whitespace replaced by one space, and none at either end ({@code " ".join(s.split())}). */
    static String collapseWhitespace(String s) {
        if (isCollapsed(s)) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                pendingSpace = true;
            } else {
                if (pendingSpace && !sb.isEmpty()) {
                    sb.append(' ');
                }
                sb.append(c);
                pendingSpace = false;
            }
        }
        return sb.toString();
    }

    /** True when the only whitespace is single spaces between other characters. */
    private static boolean isCollapsed(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (isSpace(c) && (c != ' ' || i == 0 || i == n - 1 || s.charAt(i + 1) == ' ')) {
                return false;
            }
        }
        return true;
    }

    /** Python's {@code str.lower()}: full Unicode lower-case mapping, independent of the locale. */
    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /**
     * Each character lower-cased on its own, as Hugging Face's {@code do_lower_case} does (a regex substitution
     * of {@code .lower()} over one character at a time, line breaks untouched): unlike {@link #lower}, a word-final
     * capital sigma becomes 'σ', not 'ς'.
     */
    static String lowerEachChar(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            String one = s.substring(i, i + n);
            String low = cp < 0x80 ? (cp >= 'A' && cp <= 'Z' ? String.valueOf((char) (cp + 32)) : one) : one.toLowerCase(Locale.ROOT);
            if (!low.equals(one) && sb == null) {
                sb = new StringBuilder(s.length()).append(s, 0, i);
            }
            if (sb != null) {
                sb.append(low);
            }
            i += n;
        }
        return sb == null ? s : sb.toString();
    }
}

package saelab.text;

import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * The part of ftfy's {@code fix_text} (Speer, ftfy 6.3.1, default configuration) that changes what a CLIP
 * tokenizer sees; both CLIP references run it before tokenizing. ftfy itself is a Python library with no Java
 * port, so its steps are written out here, in its order, per line, repeated until the line stops changing:
 *
 * <ol>
 *   <li>HTML entities ({@link HtmlEntities#ftfyUnescape}), skipped from the first line that contains '&lt;' on;</li>
 *   <li>mojibake ({@link Mojibake#fix}: UTF-8 read as Latin-1 or Windows-1252 only, see there for what is left
 *       out);</li>
 *   <li>C1 controls read as Windows-1252;</li>
 *   <li>Latin ligatures and digraphs spelled out ('ﬁ' to "fi", 'ǅ' to "Dž");</li>
 *   <li>full-width and half-width forms to their normal forms (NFKC of U+FF01-U+FFEF), U+3000 to a space;</li>
 *   <li>curly quotes to straight ones (U+02BC, U+2018-U+201B to ', U+201C-U+201F to ");</li>
 *   <li>CR LF, CR, U+2028, U+2029 and U+0085 to LF;</li>
 *   <li>unpaired surrogates to U+FFFD;</li>
 *   <li>ANSI terminal escapes removed;</li>
 *   <li>control characters removed (U+0000-0008, 000B, 000E-001F, 007F, 206A-206F, FEFF, FFF9-FFFC);</li>
 *   <li>NFC normalization.</li>
 * </ol>
 * ftfy's limit of one million characters per segment is not applied.
 */
final class TextFixer {

    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001B\\[((?:\\d|;)*)([a-zA-Z])");
    /** NFKC forms of U+FF01..U+FFEF (null when unchanged). */
    private static final String[] WIDTH = new String[0xFFEF - 0xFF01 + 1];

    static {
        for (int c = 0xFF01; c <= 0xFFEF; c++) {
            String s = String.valueOf((char) c);
            String n = Normalizer.normalize(s, Normalizer.Form.NFKC);
            WIDTH[c - 0xFF01] = n.equals(s) ? null : n;
        }
    }

    private TextFixer() {}

    /** ftfy's {@code fix_text(text)} as described in the class comment. */
    static String fixText(String text) {
        if (isPlain(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean html = true;
        int pos = 0;
        while (pos < text.length()) {
            int lf = text.indexOf('\n', pos);
            int end = lf < 0 ? text.length() : lf + 1;
            String segment = text.substring(pos, end);
            if (html && segment.indexOf('<') >= 0) {
                html = false; // ftfy's "auto": the text looks like HTML, keep its entities (from here to the end)
            }
            out.append(fixSegment(segment, html));
            pos = end;
        }
        return out.toString();
    }

    /** Printable ASCII with tabs and line feeds, and no '&amp;': every step leaves it unchanged. */
    private static boolean isPlain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f') || c >= 0x7F || c == '&') {
                return false;
            }
        }
        return true;
    }

    private static String fixSegment(String text, boolean html) {
        while (true) {
            String orig = text;
            if (html) {
                text = HtmlEntities.ftfyUnescape(text);
            }
            text = Mojibake.fix(text);
            text = Mojibake.fixC1Controls(text);
            text = fixLatinLigatures(text);
            text = fixCharacterWidth(text);
            text = uncurlQuotes(text);
            text = fixLineBreaks(text);
            text = fixSurrogates(text);
            text = removeTerminalEscapes(text);
            text = removeControlChars(text);
            if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
                text = Normalizer.normalize(text, Normalizer.Form.NFC);
            }
            if (text.equals(orig)) {
                return text;
            }
        }
    }

    /** ftfy's {@code LIGATURES} table. */
    private static String ligature(char c) {
        return switch (c) {
            case '\u0132' -> "IJ";
            case '\u0133' -> "ij";
            case '\u0149' -> "\u02BCn";
            case '\u01F1' -> "DZ";
            case '\u01F2' -> "Dz";
            case '\u01F3' -> "dz";
            case '\u01C4' -> "D\u017D";
            case '\u01C5' -> "D\u017E";
            case '\u01C6' -> "d\u017E";
            case '\u01C7' -> "LJ";
            case '\u01C8' -> "Lj";
            case '\u01C9' -> "lj";
            case '\u01CA' -> "NJ";
            case '\u01CB' -> "Nj";
            case '\u01CC' -> "nj";
            case '\uFB00' -> "ff";
            case '\uFB01' -> "fi";
            case '\uFB02' -> "fl";
            case '\uFB03' -> "ffi";
            case '\uFB04' -> "ffl";
            case '\uFB05' -> "\u017Ft";
            case '\uFB06' -> "st";
            default -> null;
        };
    }

    static String fixLatinLigatures(String s) {
        return mapChars(s, TextFixer::ligature);
    }

    static String fixCharacterWidth(String s) {
        return mapChars(s, c -> c == '\u3000' ? " " : (c >= 0xFF01 && c <= 0xFFEF ? WIDTH[c - 0xFF01] : null));
    }

    static String uncurlQuotes(String s) {
        return mapChars(s, c -> c == '\u02BC' || (c >= '\u2018' && c <= '\u201B') ? "'"
                : (c >= '\u201C' && c <= '\u201F' ? "\"" : null));
    }

    static String fixLineBreaks(String s) {
        if (s.indexOf('\r') < 0 && s.indexOf('\u2028') < 0 && s.indexOf('\u2029') < 0 && s.indexOf('\u0085') < 0) {
            return s;
        }
        return s.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    /** Unpaired surrogates to U+FFFD (paired ones already form one code point in Java). */
    static String fixSurrogates(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean lone = Character.isHighSurrogate(c)
                    ? !(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                    : Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(s.charAt(i - 1)));
            if (lone) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, '\uFFFD');
            }
        }
        return sb == null ? s : sb.toString();
    }

    static String removeTerminalEscapes(String s) {
        return s.indexOf('\u001B') < 0 ? s : ANSI_ESCAPE.matcher(s).replaceAll("");
    }

    static String removeControlChars(String s) {
        return mapChars(s, c -> (c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F
                || (c >= 0x206A && c <= 0x206F) || c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC)) ? "" : null);
    }

    /** Replaces each char for which {@code f} gives a string; a null result keeps the char. */
    private static String mapChars(String s, CharMapping f) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String r = f.map(c);
            if (r != null && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (r != null) {
                    sb.append(r);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    @FunctionalInterface
    private interface CharMapping {
        String map(char c);
    }
}

package saelab.text;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Entities;

/**
 * HTML character references decoded the two ways the CLIP references decode them: Python's {@code html.unescape}
 * (open_clip applies it twice after ftfy) and ftfy's stricter {@code unescape_html} (part of {@code fix_text}).
 *
 * <p>The entity table is the HTML5 one (WHATWG "named character references"), taken from jsoup, a maintained
 * HTML library, rather than copied here. The decoding rules are written out because jsoup's own unescaping follows
 * the browser algorithm, which differs from Python's in edge cases (for example {@code &notit;}, {@code &ampx},
 * {@code &#0;}); the rules below follow CPython's {@code html/__init__.py} and ftfy 6.3's {@code fixes.py}.
 */
final class HtmlEntities {

    /** CPython's {@code _charref}: a numeric reference, or up to 32 characters of a name, each with an optional ';'. */
    private static final Pattern PY_CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    /** ftfy's {@code HTML_ENTITY_RE}: only references that end with ';'. */
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    private HtmlEntities() {}

    /**
     * Python's {@code html.unescape}: named references of the HTML5 table (with ';', or without it for the legacy
     * names, also as the longest legacy prefix of a longer name), and numeric references with the HTML5
     * replacements (0 and surrogates and values above U+10FFFF become U+FFFD, 0x80-0x9F are read as Windows-1252,
     * non-characters and most control codes are dropped).
     */
    static String pythonUnescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = PY_CHARREF.matcher(s);
        StringBuilder sb = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(pythonReplacement(m.group(1))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String pythonReplacement(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            return numericReplacement(digits, hex ? 16 : 10);
        }
        if (ref.endsWith(";")) {
            String name = ref.substring(0, ref.length() - 1);
            if (Entities.isNamedEntity(name)) {
                return Entities.getByName(name);
            }
        } else if (Entities.isBaseNamedEntity(ref)) {
            return Entities.getByName(ref);
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = ref.substring(0, x);
            if (Entities.isBaseNamedEntity(prefix)) {
                return Entities.getByName(prefix) + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    private static String numericReplacement(String digits, int radix) {
        String trimmed = digits.replaceFirst("^0+(?=.)", "");
        long num = trimmed.length() > 8 ? Long.MAX_VALUE : Long.parseLong(trimmed, radix);
        if (num == 0) {
            return "\uFFFD";
        }
        if (num == 0x0D) {
            return "\r";
        }
        if (num >= 0x80 && num <= 0x9F) {
            return String.valueOf(Mojibake.sloppyWindows1252((int) num));
        }
        if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
            return "\uFFFD";
        }
        int cp = (int) num;
        if ((cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F) || cp == 0x7F
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            return "";
        }
        return Character.toString(cp);
    }

    /**
     * ftfy's {@code unescape_html}: only references that end with ';' and are 1-24 letters or digits long; HTML5
     * names as spelled, plus the all-capitals spelling of a lower-case name when that spelling means nothing to
     * {@code html.unescape} (then the character is upper-cased: {@code &EACUTE;} is 'É'); numeric references as
     * {@code html.unescape} reads them.
     */
    static String ftfyUnescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = FTFY_ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(ftfyReplacement(m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String ftfyReplacement(String ref) {
        if (ref.startsWith("&#")) {
            String unescaped = pythonUnescape(ref);
            return unescaped.indexOf(';') >= 0 ? ref : unescaped;
        }
        String name = ref.substring(1, ref.length() - 1);
        if (Entities.isNamedEntity(name)) {
            return Entities.getByName(name);
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.equals(name.toUpperCase(Locale.ROOT)) && !lower.equals(name) && Entities.isNamedEntity(lower)
                && pythonUnescape(ref).equals(ref)) {
            return Entities.getByName(lower).toUpperCase(Locale.ROOT);
        }
        return ref;
    }
}

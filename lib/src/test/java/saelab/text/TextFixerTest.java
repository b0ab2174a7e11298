package saelab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ftfy subset and the HTML unescaping against outputs of the references, computed once with ftfy 6.3
 * ({@code fix_text}, rspeer/python-ftfy 74dd0452) and CPython 3.11's {@code html.unescape} and written here.
 * Two cases ftfy repairs and saelab does not ("voilÃ le travail", restore_byte_a0; mojibake mixed with correct
 * accents in one line, decode_inconsistent_utf8) are left out; see {@link Mojibake}.
 */
class TextFixerTest {

    /** Input, then {@code ftfy.fix_text(input)}. */
    private static final String[][] FTFY = {
            {"SchÃ¶ne GrÃ¼ÃŸe", "Schöne Grüße"},
            {"cafÃ©", "café"},
            {"sÃ³", "só"},
            {"âœ” No problems", "✔ No problems"},
            {"Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "Broken text… it's flubberific!"},
            {"ＬＯＵＤ\u3000ＮＯＩＳＥＳ", "LOUD NOISES"},
            {"Ｕﾀｰﾝ", "Uターン"},
            {"P&EACUTE;REZ", "PÉREZ"},
            {"BUNDESSTRA&SZLIG;E", "BUNDESSTRASSE"},
            {"&ntilde; &Ntilde; &NTILDE; &nTILDE;", "ñ Ñ Ñ &nTILDE;"},
            {"this&not that", "this&not that"},
            {"&lt;tag&gt; <b>bold</b> &amp;", "&lt;tag&gt; <b>bold</b> &amp;"},
            {"line1 &amp;\nline2 <x> &amp;\nline3 &amp;", "line1 &\nline2 <x> &amp;\nline3 &amp;"},
            {"“here’s a test”", "\"here's a test\""},
            {"\u0093quoted\u0094 text", "\"quoted\" text"},
            {"Ǳ ǲ ǳ Ǆ ǅ ǆ ﬀ ﬃ ﬄ ﬅ ﬆ Ĳ ĳ ŉ", "DZ Dz dz DŽ Dž dž ff ffi ffl ſt st IJ ij 'n"},
            {"a\r\nb\rc\u2028d\u2029e\u0085f", "a\nb\nc\nd\ne…f"},
            {"\u001b[36;44mblue\u001b[0m", "blue"},
            {"a\u0000b\u0007c\u000bd\u001fe\u007ff\u206ag\ufeffh\ufffci", "abcdefghi"},
            {"cafe\u0301", "café"},
            {"café", "café"},
            {"naïve résumé", "naïve résumé"},
            {"Ã©tÃ©", "été"},
            {"l’été", "l'été"},
            {"&#128;&#0;&#xD800;&#65", "€\ufffd\ufffd&#65"},
            {"&#x1F600; &#128512;", "\ud83d\ude00 \ud83d\ude00"},
            {"ÃƒÂ©", "é"},
            {"Â£100", "£100"},
            {"It’s “curly” quotes and ‘single’ ones…", "It's \"curly\" quotes and 'single' ones…"},
            {"ǅemal, ﬁne ligature, ①② circled", "Džemal, fine ligature, ①② circled"},
            {"Ω ≈ ç √ ∫", "Ω ≈ ç √ ∫"},
            {"日本語", "日本語"},
            {"emoji \ud83d\udc08", "emoji \ud83d\udc08"},
            {"&AMP; &amp &ampx &notit;", "& &amp &ampx &notit;"},
            {"&EACUTE &EACUTE; &eacute", "&EACUTE É &eacute"},
            {"x\u0080y\u0081z", "x€y\u0081z"},
            {"zero\u200bwidth and\u00a0no-break", "zero\u200bwidth and\u00a0no-break"},
    };

    /** Input, then Python's {@code html.unescape(input)}. */
    private static final String[][] PYTHON_UNESCAPE = {
            {"Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "Broken text… it’s ﬂubberiﬁc!"},
            {"P&EACUTE;REZ", "P&EACUTE;REZ"},
            {"BUNDESSTRA&SZLIG;E", "BUNDESSTRA&SZLIG;E"},
            {"&ntilde; &Ntilde; &NTILDE; &nTILDE;", "ñ Ñ &NTILDE; &nTILDE;"},
            {"this&not that", "this¬ that"},
            {"&lt;tag&gt; <b>bold</b> &amp;", "<tag> <b>bold</b> &"},
            {"line1 &amp;\nline2 <x> &amp;\nline3 &amp;", "line1 &\nline2 <x> &\nline3 &"},
            {"&#128;&#0;&#xD800;&#65", "€\ufffd\ufffdA"},
            {"&#x1F600; &#128512;", "\ud83d\ude00 \ud83d\ude00"},
            {"&AMP; &amp &ampx &notit;", "& & &x ¬it;"},
            {"&EACUTE &EACUTE; &eacute", "&EACUTE &EACUTE; é"},
    };

    @Test
    void fixTextMatchesFtfy() {
        List<String> bad = new ArrayList<>();
        for (String[] c : FTFY) {
            String got = TextFixer.fixText(c[0]);
            if (!got.equals(c[1])) {
                bad.add("'" + c[0] + "': ftfy '" + c[1] + "', saelab '" + got + "'");
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void htmlUnescapeMatchesPython() {
        List<String> bad = new ArrayList<>();
        for (String[] c : PYTHON_UNESCAPE) {
            String got = HtmlEntities.pythonUnescape(c[0]);
            if (!got.equals(c[1])) {
                bad.add("'" + c[0] + "': Python '" + c[1] + "', saelab '" + got + "'");
            }
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void plainTextIsReturnedAsIs() {
        String s = "a photo of a cat.";
        assertEquals(s, TextFixer.fixText(s));
        assertEquals("", TextFixer.fixText(""));
    }

    @Test
    void pythonWhitespaceAndLowerCase() {
        assertEquals("a b c", PyStrings.collapseWhitespace("  a\t\u00A0b\u2003\u3000c\n "));
        assertEquals("a\u200Bb", PyStrings.collapseWhitespace("a\u200Bb"), "zero-width space is not whitespace in Python");
        assertEquals("a b", PyStrings.collapseWhitespace("a\u001Cb"), "nor in Java, but it is in Python");
        assertEquals("i\u0307stanbul stra\u00DFe \u03BF\u03B4\u03BF\u03C2", PyStrings.lower("\u0130stanbul STRA\u00DFE \u039F\u0394\u039F\u03A3"));
    }
}

package saelab.text;

/**
 * The text cleaning of the two CLIP tokenizer references, applied before the regex pre-tokenizer.
 *
 * <ul>
 *   <li>open_clip 2.32 {@code SimpleTokenizer} (clean "lower"): ftfy's {@code fix_text}, then Python's
 *       {@code html.unescape} twice, strip, whitespace runs to one space, lower case.</li>
 *   <li>Hugging Face {@code CLIPTokenizer} (slow, with ftfy installed): ftfy's {@code fix_text}, whitespace runs to
 *       one space, strip, lower case; applied to each stretch of text between literal special tokens.</li>
 * </ul>
 * {@code fix_text} is approximated by {@link TextFixer}; whitespace and lower case follow Python
 * ({@link PyStrings}).
 */
final class ClipTextCleaner {

    private ClipTextCleaner() {}

    /** open_clip's {@code _clean_lower}. */
    static String openClip(String text) {
        String t = TextFixer.fixText(text);
        t = HtmlEntities.pythonUnescape(HtmlEntities.pythonUnescape(t));
        return PyStrings.lower(PyStrings.collapseWhitespace(t));
    }

    /** Hugging Face's {@code whitespace_clean(fix_text(text)).lower()}. */
    static String huggingFace(String text) {
        return PyStrings.lower(PyStrings.collapseWhitespace(TextFixer.fixText(text)));
    }
}

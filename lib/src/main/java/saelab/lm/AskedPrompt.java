package saelab.lm;

/**
 * A one-image question as a vision-language model was asked it, for the records of {@code saelab vlm ask}: the question,
 * the template that framed it, the prompt text, its length in tokens and the image tokens among them.
 */
public interface AskedPrompt {

    /** The question as given. */
    String question();

    /** The prompt template's name ({@code llava-1.5}, {@code llava-interleave}, {@code moondream-query}). */
    String templateId();

    /** The prompt as rendered, before the image's tokens are put in. */
    String text();

    /** The prompt's length in tokens, the image's tokens included. */
    int length();

    /** The image's tokens in the prompt (the features the language model reads). */
    int imageTokens();
}

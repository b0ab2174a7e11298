package saelab.text;

/**
 * How {@link Tokenizer#encodeBatch} fills the positions after a text's end token.
 *
 * <p>The padding never changes a model's pooled text embedding (CLIP pools at the first end token, which
 * precedes every pad; SigLIP was trained with its own pad id and pools at the last position), but the
 * activations at pad positions depend on it, so pick the one the reference used.
 */
public enum Padding {
    /** Id 0, as open_clip's {@code tokenize} pads (also BioCLIP). */
    ZERO,
    /**
     * The tokenizer's own pad token, as Hugging Face's {@code padding="max_length"} pads: the end token
     * 49407 {@code <|endoftext|>} for CLIP, {@code </s>} (1) for SigLIP. See {@link Tokenizer#padTokenId()}.
     */
    PAD_TOKEN
}

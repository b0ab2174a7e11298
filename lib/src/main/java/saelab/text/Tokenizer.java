package saelab.text;

import java.util.List;

/**
 * Text to token ids for a vision-language model's text tower.
 *
 * <p>Every method is thread-safe. Ids are 0-based indexes into the model's token embedding table.
 * Implementations: {@link ClipTokenizer} (CLIP, open_clip, BioCLIP: byte-level BPE) and
 * {@link SiglipTokenizer} (SigLIP: SentencePiece unigram). {@link Tokenizers#fromFolder} picks one
 * from a model folder.
 */
public interface Tokenizer {

    /** The context length read from the model's configuration (77 for CLIP and BioCLIP, 64 for SigLIP). */
    int contextLength();

    /** Number of ids in the vocabulary (49408 for CLIP, 32000 for SigLIP); every id is below it. */
    int vocabularySize();

    /** The id that opens every sequence, or -1 when the model has none (SigLIP). */
    int startTokenId();

    /** The id that closes every sequence (49407 for CLIP, 1 for SigLIP); truncation keeps it last. */
    int endTokenId();

    /** The pad id of {@link Padding#PAD_TOKEN}: what Hugging Face pads with. */
    int padTokenId();

    /** The padding of the reference this tokenizer was loaded for (open_clip: zeros; Hugging Face: the pad token). */
    Padding defaultPadding();

    /**
     * Ids of one text with the start and end tokens, truncated to {@link #contextLength()} with the end token
     * kept last, unpadded.
     */
    default int[] encode(String text) {
        return encode(text, contextLength());
    }

    /**
     * Ids of one text with the start and end tokens, truncated to {@code contextLength} ids with the end token
     * kept last (the references' truncation), unpadded.
     *
     * @throws IllegalArgumentException when {@code contextLength} cannot hold the start and end tokens
     */
    int[] encode(String text, int contextLength);

    /**
     * Ids of several texts as one row-major {@code long} matrix of shape {@code [texts.size(), contextLength]},
     * each row as {@link #encode(String, int)} followed by padding; ready for
     * {@code manager.create(ids, new Shape(n, contextLength))}.
     */
    default long[] encodeBatch(List<String> texts, int contextLength, Padding padding) {
        long[] out = new long[Math.multiplyExact(texts.size(), contextLength)];
        int pad = padding == Padding.ZERO ? 0 : padTokenId();
        for (int row = 0; row < texts.size(); row++) {
            TokenSequences.padInto(encode(texts.get(row), contextLength), out, row, contextLength, pad);
        }
        return out;
    }

    /** {@link #encodeBatch(List, int, Padding)} at the model's context length and {@link #defaultPadding()}. */
    default long[] encodeBatch(List<String> texts) {
        return encodeBatch(texts, contextLength(), defaultPadding());
    }
}

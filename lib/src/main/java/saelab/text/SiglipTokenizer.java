package saelab.text;

import java.nio.file.Path;

/**
 * The SigLIP text tokenizer (Zhai et al. 2023, "Sigmoid Loss for Language Image Pre-Training"): T5's
 * SentencePiece unigram model ({@code spiece.model}, 32,000 pieces) behind the canonicalization of Hugging Face's
 * {@code SiglipTokenizer} (transformers 4.45; {@code lib/MODELS.md} §6).
 *
 * <p>Steps, as Hugging Face runs them: '▁' in the text becomes a space; lower case, one character at a time ({@code do_lower_case});
 * ASCII punctuation {@code !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~} deleted; whitespace runs to one space, trimmed; then
 * SentencePiece: the model's normalizer ({@link SentencePieceNormalizer}; NFKC-based for SigLIP), spaces as '▁'
 * with one '▁' in front (Hugging Face always adds it, whatever the model's {@code add_dummy_prefix}), and
 * {@link UnigramSegmenter Viterbi segmentation}; characters no piece covers become {@code <unk>} (id 2), a run of
 * them one {@code <unk>}. Then {@code </s>} (id 1) is appended; truncation keeps it last, and Hugging Face pads
 * with it too ({@code padding="max_length"}, 64 ids). There is no start token.
 *
 * <p>Differences from Hugging Face: literal special-token strings in the text ({@code </s>}, {@code <unk>}) are
 * read as text (Hugging Face maps them to their ids before the punctuation is removed); see
 * {@link SentencePieceNormalizer} for how the model's character map is applied. Thread-safe.
 */
public final class SiglipTokenizer implements Tokenizer {

    /** SigLIP's context length ({@code text_config.max_position_embeddings}). */
    public static final int DEFAULT_CONTEXT_LENGTH = 64;
    /** Python's {@code string.punctuation}. */
    static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final SentencePieceModel model;
    private final SentencePieceNormalizer normalizer;
    private final UnigramSegmenter segmenter;
    private final int endId;
    private final int contextLength;

    private SiglipTokenizer(SentencePieceModel model, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("context length " + contextLength + " cannot hold the end token; expected at least 1");
        }
        this.model = model;
        this.normalizer = SentencePieceNormalizer.of(model);
        this.segmenter = new UnigramSegmenter(model);
        this.endId = model.id("</s>");
        if (endId < 0) {
            throw new IllegalArgumentException(model.source() + ": has no '</s>' piece; expected the end-of-sequence token");
        }
        this.contextLength = contextLength;
    }

    /**
     * The tokenizer of a SentencePiece model file.
     *
     * @throws IllegalArgumentException for a file that is not a supported SentencePiece model (see
     *                                  {@link SentencePieceModel#read}) or has no {@code </s>} piece
     * @throws java.io.UncheckedIOException when it is missing or unreadable
     */
    public static SiglipTokenizer fromModel(Path spieceModel, int contextLength) {
        return new SiglipTokenizer(SentencePieceModel.read(spieceModel), contextLength);
    }

    /** The tokenizer of a parsed model. */
    public static SiglipTokenizer of(SentencePieceModel model, int contextLength) {
        return new SiglipTokenizer(model, contextLength);
    }

    /** Hugging Face's canonicalization: '▁' to space, lower case, ASCII punctuation deleted, whitespace collapsed. */
    static String canonicalize(String text) {
        String t = PyStrings.lowerEachChar(text.replace(SentencePieceNormalizer.SPACE_SYMBOL, ' '));
        StringBuilder sb = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            boolean punct = c < 0x80 && ASCII_PUNCTUATION.indexOf(c) >= 0;
            if (punct && sb == null) {
                sb = new StringBuilder(t.length()).append(t, 0, i);
            }
            if (sb != null && !punct) {
                sb.append(c);
            }
        }
        return PyStrings.collapseWhitespace(sb == null ? t : sb.toString());
    }

    /** The text as SentencePiece segments it: canonicalized, normalized, with '▁' for spaces and in front. */
    public String normalized(String text) {
        return normalizer.normalize(canonicalize(text), true);
    }

    /** The piece ids of a text without {@code </s>} and without truncation. */
    public int[] textIds(String text) {
        return segmenter.segment(normalized(text));
    }

    @Override
    public int[] encode(String text, int contextLength) {
        return TokenSequences.wrap(-1, textIds(text), endId, contextLength);
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int vocabularySize() {
        return model.size();
    }

    @Override
    public int startTokenId() {
        return -1;
    }

    @Override
    public int endTokenId() {
        return endId;
    }

    @Override
    public int padTokenId() {
        return endId;
    }

    @Override
    public Padding defaultPadding() {
        return Padding.PAD_TOKEN;
    }

    /** The model. */
    public SentencePieceModel model() {
        return model;
    }

    @Override
    public String toString() {
        return "SiglipTokenizer[" + model.source() + ", " + model.size() + " pieces, context " + contextLength + "]";
    }
}

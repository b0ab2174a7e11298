package saelab.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CLIP text tokenizer: byte-level BPE over a 49,408-entry vocabulary, identical for OpenAI CLIP, Hugging Face
 * {@code CLIPTokenizer}, open_clip and BioCLIP (Radford et al. 2021, "Learning Transferable Visual Models From
 * Natural Language Supervision"; {@code lib/MODELS.md} §5).
 *
 * <p>Steps: clean the text ({@link ClipTextCleaner}: an ftfy subset, HTML unescaping, whitespace collapsing, lower
 * case); split it with the reference regex ({@code 's 't 're 've 'm 'll 'd}, runs of letters {@code \p{L}+}, single
 * digits {@code \p{N}}, runs of other non-space characters, and the literal special tokens); byte-level BPE per piece
 * ({@link BpeEncoder}, cached); then the start token 49406 and end token 49407 around the ids, truncated to the
 * context length with the end token kept last.
 *
 * <p>The two references differ only for texts that spell a special token: open_clip's {@code SimpleTokenizer} calls
 * them {@code <start_of_text>} and {@code <end_of_text>} and reads exactly those spellings as special; Hugging Face
 * splits {@code <|startoftext|>} and {@code <|endoftext|>} out of the text before cleaning. {@link Reference} picks
 * one; a tokenizer built from {@code bpe_simple_vocab_16e6.txt.gz} follows open_clip, one built from
 * {@code vocab.json} and {@code merges.txt} follows Hugging Face. Thread-safe.
 */
public final class ClipTokenizer implements Tokenizer {

    /** The context length of every CLIP model. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;
    /** open_clip's vocabulary, bundled: {@code bpe_simple_vocab_16e6.txt.gz} (MIT licence, from OpenAI CLIP). */
    static final String BUNDLED_VOCABULARY = "bpe_simple_vocab_16e6.txt.gz";

    /** Which reference implementation's behaviour to reproduce. */
    public enum Reference {
        /** open_clip's {@code SimpleTokenizer} and {@code tokenize} (pads with 0). */
        OPEN_CLIP("<start_of_text>", "<end_of_text>", Padding.ZERO),
        /** Hugging Face's slow {@code CLIPTokenizer} (pads with the end token 49407). */
        HUGGING_FACE("<|startoftext|>", "<|endoftext|>", Padding.PAD_TOKEN);

        private final String startToken;
        private final String endToken;
        private final Padding padding;

        Reference(String startToken, String endToken, Padding padding) {
            this.startToken = startToken;
            this.endToken = endToken;
            this.padding = padding;
        }

        /** How this reference spells the start token. */
        public String startToken() {
            return startToken;
        }

        /** How this reference spells the end token. */
        public String endToken() {
            return endToken;
        }
    }

    private final BpeVocabulary vocab;
    private final BpeEncoder bpe;
    private final Reference reference;
    private final int contextLength;
    private final Pattern pieces;

    private ClipTokenizer(BpeVocabulary vocab, Reference reference, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length " + contextLength + " cannot hold the start and end tokens; expected at least 2");
        }
        this.vocab = vocab;
        this.bpe = new BpeEncoder(vocab);
        this.reference = reference;
        this.contextLength = contextLength;
        this.pieces = Pattern.compile(Pattern.quote(reference.startToken) + "|" + Pattern.quote(reference.endToken)
                + "|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^" + PyStrings.WHITESPACE_CLASS + "\\p{L}\\p{N}]+",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /**
     * The tokenizer of open_clip's {@code bpe_simple_vocab_16e6.txt.gz}, with open_clip's behaviour.
     *
     * @throws IllegalArgumentException when the file is not a complete gzip file of at least 48,894 merges
     * @throws UncheckedIOException     when it is missing or unreadable
     */
    public static ClipTokenizer openClip(Path bpeGz, int contextLength) {
        return new ClipTokenizer(BpeVocabulary.openClip(bpeGz), Reference.OPEN_CLIP, contextLength);
    }

    /**
     * The tokenizer of open_clip's vocabulary bundled with saelab (the file open_clip ships), with open_clip's
     * behaviour. The vocabulary is read once and shared.
     */
    public static ClipTokenizer openClipBundled(int contextLength) {
        return new ClipTokenizer(Bundled.VOCABULARY, Reference.OPEN_CLIP, contextLength);
    }

    /** The bundled vocabulary, read on first use. */
    private static final class Bundled {
        static final BpeVocabulary VOCABULARY = read();

        private static BpeVocabulary read() {
            String source = "saelab resource saelab/text/" + BUNDLED_VOCABULARY;
            try (InputStream in = ClipTokenizer.class.getResourceAsStream(BUNDLED_VOCABULARY)) {
                if (in == null) {
                    throw new IllegalStateException(source + " is missing from the classpath (a broken build)");
                }
                return BpeVocabulary.openClip(in, source);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source, e);
            }
        }
    }

    /**
     * The tokenizer of Hugging Face's {@code vocab.json} and {@code merges.txt}, with Hugging Face's behaviour.
     *
     * @throws IllegalArgumentException when a file is malformed, or a byte symbol, a merge result or a special
     *                                  token is missing from the vocabulary
     * @throws UncheckedIOException     when a file is missing or unreadable
     */
    public static ClipTokenizer huggingFace(Path vocabJson, Path mergesTxt, int contextLength) {
        return new ClipTokenizer(BpeVocabulary.huggingFace(vocabJson, mergesTxt), Reference.HUGGING_FACE, contextLength);
    }

    /** Which reference this tokenizer reproduces. */
    public Reference reference() {
        return reference;
    }

    /**
     * The BPE ids of a text without start and end tokens and without truncation: open_clip's
     * {@code SimpleTokenizer.encode}, or Hugging Face's ids without special tokens.
     */
    public int[] textIds(String text) {
        IntList out = new IntList(16);
        if (reference == Reference.HUGGING_FACE) {
            // Hugging Face cuts literal special tokens out first and cleans the stretches between them
            int pos = 0;
            while (true) {
                int s = text.indexOf(reference.startToken, pos);
                int e = text.indexOf(reference.endToken, pos);
                int at = s < 0 ? e : (e < 0 ? s : Math.min(s, e));
                if (at < 0) {
                    break;
                }
                addPieces(ClipTextCleaner.huggingFace(text.substring(pos, at)), out);
                boolean start = at == s;
                out.add(start ? vocab.startId() : vocab.endId());
                pos = at + (start ? reference.startToken : reference.endToken).length();
            }
            addPieces(ClipTextCleaner.huggingFace(text.substring(pos)), out);
        } else {
            addPieces(ClipTextCleaner.openClip(text), out);
        }
        return out.toArray();
    }

    private void addPieces(String cleaned, IntList out) {
        if (cleaned.isEmpty()) {
            return;
        }
        Matcher m = pieces.matcher(cleaned);
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(reference.startToken)) {
                out.add(vocab.startId());
            } else if (piece.equals(reference.endToken)) {
                out.add(vocab.endId());
            } else {
                bpe.encode(piece, out);
            }
        }
    }

    @Override
    public int[] encode(String text, int contextLength) {
        return TokenSequences.wrap(vocab.startId(), textIds(text), vocab.endId(), contextLength);
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int vocabularySize() {
        return vocab.size();
    }

    @Override
    public int startTokenId() {
        return vocab.startId();
    }

    @Override
    public int endTokenId() {
        return vocab.endId();
    }

    @Override
    public int padTokenId() {
        return vocab.endId();
    }

    @Override
    public Padding defaultPadding() {
        return reference.padding;
    }

    /** Where the vocabulary was read from. */
    public String source() {
        return vocab.source();
    }

    @Override
    public String toString() {
        return "ClipTokenizer[" + reference + ", " + vocab.source() + ", context " + contextLength + "]";
    }
}

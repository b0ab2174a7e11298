package saelab.lm;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json}) run by DJL's binding of the Rust
 * {@code tokenizers} library (0.21), which is the library transformers' fast tokenizers call: the file
 * fixes the normaliser, the pre-tokeniser, the model, the added (special) tokens and the post-processor
 * that adds special tokens such as a BOS (Llama's {@code <s>}; none for Qwen2). DJL's defaults would
 * truncate to 512 tokens and pad (a LLaVA prompt holds 576 or 729 image tokens): truncation and padding
 * are switched off here. Decoding does no clean-up of spaces ({@code clean_up_tokenization_spaces} false,
 * as the LLaVA tokenizer configs say).
 */
public final class TextTokenizer implements AutoCloseable {

    private static final Map<String, String> OPTIONS = Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true");

    private final HuggingFaceTokenizer tokenizer;

    private TextTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Loads {@code folder/tokenizer.json}.
     *
     * @throws IllegalArgumentException when the folder has no {@code tokenizer.json} or it cannot be parsed, naming the folder or file
     * @throws IOException              when it cannot be read
     */
    public static TextTokenizer load(Path folder) throws IOException {
        Path file = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + ": no tokenizer.json; expected a Hugging Face tokenizer folder (saelab reads only"
                    + " the fast-tokenizer file, not vocab.json/merges.txt or tokenizer.model)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a valid Hugging Face tokenizer file (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The ids of {@code text} with the special tokens the post-processor adds (as {@code tokenizer(text)}). */
    public long[] encode(String text) {
        return encode(text, true);
    }

    /** The ids of {@code text}, with or without the post-processor's special tokens. */
    public long[] encode(String text, boolean addSpecialTokens) {
        return encoding(text, addSpecialTokens).getIds();
    }

    /** The token strings of {@code text} ({@code convert_ids_to_tokens} of its ids). */
    public String[] tokens(String text, boolean addSpecialTokens) {
        return encoding(text, addSpecialTokens).getTokens();
    }

    private Encoding encoding(String text, boolean addSpecialTokens) {
        return tokenizer.encode(text, addSpecialTokens, false);
    }

    /** The text of {@code ids}; with {@code skipSpecialTokens}, special tokens are left out. */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

package saelab.toy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.lm.TextTokenizer;
import saelab.text.ByteUnicode;

/**
 * Writes the toy VLM's tokenizer: a byte-level BPE (GPT-2's pre-tokeniser and byte-to-character table, no
 * normaliser, {@code <s>} prepended) with the id layout of llava-1.5: {@code <unk>} 0, {@code <s>} 1,
 * {@code </s>} 2, byte {@code b} at {@code 3 + b}, the merges from 259, then {@code <image>} and {@code <pad>}.
 * Files: {@code tokenizer.json} (the Hugging Face {@code tokenizers} format, read by {@link TextTokenizer}),
 * and for the slow {@code GPT2Tokenizer} {@code vocab.json}, {@code merges.txt} ({@code #version: 0.2} header),
 * {@code tokenizer_config.json} and {@code special_tokens_map.json}.
 *
 * <p>The merges make every question and answer word one token, both at the start of a piece ({@code what}) and
 * after a space ({@code Ġred}), plus the chat words {@code USER} and {@code ASSISTANT}: they are learnt with
 * {@link ToyTokenizerFiles#learn(List, String)} on those pieces, each counted once. After writing, the file is
 * loaded back with {@link TextTokenizer} and every piece is checked to come out as one token.
 */
final class ToyVlmTokenizerFiles {

    static final String UNK = "<unk>";
    static final String BOS = "<s>";
    static final String EOS = "</s>";
    static final String IMAGE = "<image>";
    static final String PAD = "<pad>";
    /** The bytes of the vocabulary start here (after {@code <unk>}, {@code <s>}, {@code </s>}). */
    private static final int FIRST_BYTE_ID = 3;
    /** The chat words of the llava-1.5 prompt ({@code USER: <image>\n... ASSISTANT:}). */
    private static final List<String> CHAT_WORDS = List.of("USER", "ASSISTANT");

    /**
     * The ids a caller needs.
     *
     * @param vocabSize number of ids
     * @param bos       {@code <s>}
     * @param eos       {@code </s>}
     * @param image     {@code <image>}
     * @param pad       {@code <pad>}
     */
    record Ids(int vocabSize, int bos, int eos, int image, int pad) {}

    private ToyVlmTokenizerFiles() {}

    /** The pieces that must be single tokens: every word alone and after a space, and the chat words. */
    static List<String> pieces(List<String> words) {
        List<String> p = new ArrayList<>();
        for (String w : words) {
            p.add(w);
            p.add(" " + w);
        }
        for (String w : CHAT_WORDS) {
            p.add(w);
            p.add(" " + w);
        }
        return p;
    }

    /**
     * Learns the merges of {@code words} and writes the five files into {@code dir}, atomically each, then checks them.
     *
     * @throws IllegalStateException when a piece does not come out as one token (a bug)
     */
    static Ids write(Path dir, List<String> words) throws IOException {
        List<String> pieces = pieces(words);
        List<String[]> merges = ToyTokenizerFiles.learn(pieces, "");
        Map<String, Integer> vocab = new LinkedHashMap<>();
        vocab.put(UNK, 0);
        vocab.put(BOS, 1);
        vocab.put(EOS, 2);
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteUnicode.charOf(b)), FIRST_BYTE_ID + b);
        }
        List<String> mergeLines = new ArrayList<>();
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
            mergeLines.add(m[0] + " " + m[1]);
        }
        int image = vocab.size();
        vocab.put(IMAGE, image);
        int pad = vocab.size();
        vocab.put(PAD, pad);
        Ids ids = new Ids(vocab.size(), 1, 2, image, pad);

        Json.write(dir.resolve("tokenizer.json"), tokenizerJson(vocab, mergeLines, ids));
        Json.write(dir.resolve("vocab.json"), vocab);
        AtomicFiles.writeBytes(dir.resolve("merges.txt"),
                ("#version: 0.2\n" + String.join("\n", mergeLines) + "\n").getBytes(StandardCharsets.UTF_8));
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("additional_special_tokens", List.of(IMAGE));
        special.put("bos_token", BOS);
        special.put("eos_token", EOS);
        special.put("pad_token", PAD);
        special.put("unk_token", UNK);
        Json.write(dir.resolve("special_tokens_map.json"), special);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_bos_token", true);
        config.put("add_prefix_space", false);
        Map<String, Object> decoder = new LinkedHashMap<>();
        for (String t : List.of(UNK, BOS, EOS, IMAGE, PAD)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("content", t);
            e.put("lstrip", false);
            e.put("normalized", false);
            e.put("rstrip", false);
            e.put("single_word", false);
            e.put("special", true);
            decoder.put(Integer.toString(vocab.get(t)), e);
        }
        config.put("added_tokens_decoder", decoder);
        config.putAll(special);
        config.put("clean_up_tokenization_spaces", false);
        config.put("errors", "replace");
        config.put("model_max_length", ToyVlmArchitecture.MAX_POSITIONS);
        config.put("tokenizer_class", "GPT2Tokenizer");
        Json.write(dir.resolve("tokenizer_config.json"), config);
        check(dir, pieces, ids);
        return ids;
    }

    /** The {@code tokenizer.json} of the Hugging Face {@code tokenizers} library (format version 1.0). */
    private static Map<String, Object> tokenizerJson(Map<String, Integer> vocab, List<String> merges, Ids ids) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("version", "1.0");
        t.put("truncation", null);
        t.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (String s : List.of(UNK, BOS, EOS, IMAGE, PAD)) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", vocab.get(s));
            a.put("content", s);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        t.put("added_tokens", added);
        t.put("normalizer", null);
        t.put("pre_tokenizer", byteLevel(false));
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("type", "TemplateProcessing");
        post.put("single", List.of(special(BOS), sequence("A", 0)));
        post.put("pair", List.of(special(BOS), sequence("A", 0), special(BOS), sequence("B", 1)));
        post.put("special_tokens", Map.of(BOS, Map.of("id", BOS, "ids", List.of(ids.bos()), "tokens", List.of(BOS))));
        t.put("post_processor", post);
        t.put("decoder", byteLevel(true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.put("vocab", vocab);
        model.put("merges", merges);
        t.put("model", model);
        return t;
    }

    private static Map<String, Object> byteLevel(boolean addPrefixSpace) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", addPrefixSpace);
        m.put("trim_offsets", true);
        m.put("use_regex", true);
        return m;
    }

    private static Map<String, Object> special(String id) {
        return Map.of("SpecialToken", Map.of("id", id, "type_id", 0));
    }

    private static Map<String, Object> sequence(String id, int typeId) {
        return Map.of("Sequence", Map.of("id", id, "type_id", typeId));
    }

    private static void check(Path dir, List<String> pieces, Ids ids) throws IOException {
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            for (String p : pieces) {
                long[] got = t.encode(p, false);
                if (got.length != 1) {
                    throw new IllegalStateException(dir + ": the toy VLM tokenizer splits '" + p + "' into " + Arrays.toString(got)
                            + "; expected one token");
                }
            }
            long[] special = t.encode(BOS + EOS + IMAGE + PAD, false);
            if (!Arrays.equals(special, new long[] {ids.bos(), ids.eos(), ids.image(), ids.pad()})) {
                throw new IllegalStateException(dir + ": the toy VLM tokenizer reads its special tokens as " + Arrays.toString(special));
            }
        }
    }
}

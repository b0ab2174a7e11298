package saelab.toy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import saelab.io.AtomicFiles;
import saelab.io.Json;
import saelab.text.ByteUnicode;
import saelab.text.ClipTokenizer;

/**
 * Writes a small Hugging Face CLIP tokenizer ({@code vocab.json}, {@code merges.txt},
 * {@code tokenizer_config.json}, {@code special_tokens_map.json}) for the toy-world captions: the 256 byte
 * symbols and their word-final ({@code </w>}) forms, the merges that build every caption word
 * ({@link ToyCaptionWords}), then {@code <|startoftext|>} and {@code <|endoftext|>}, numbered as CLIP's
 * {@code vocab.json} is. saelab's {@link saelab.text.Tokenizers#fromFolder} and transformers'
 * {@code CLIPTokenizer} read it; every caption word becomes one token.
 *
 * <p>The merges are learnt by byte-pair encoding (Sennrich et al. 2016) on the word list, each word counted
 * once: repeatedly merge the most frequent adjacent pair (ties: the alphabetically first pair) everywhere until
 * every word is one symbol. Greedy encoding by merge rank then replays exactly those merges on each word.
 * Written by hand: learning a few dozen merges is a short loop, and the result is checked by loading it with
 * saelab's own tokenizer.
 */
public final class ToyTokenizerFiles {

    /** The start token of Hugging Face CLIP. */
    static final String START = "<|startoftext|>";
    /** The end token of Hugging Face CLIP (also its pad and unknown token). */
    static final String END = "<|endoftext|>";
    private static final String END_OF_WORD = "</w>";

    /**
     * What was written.
     *
     * @param vocabSize number of ids
     * @param startId   id of {@link #START}
     * @param endId     id of {@link #END}
     * @param merges    number of merges
     */
    record Written(int vocabSize, int startId, int endId, int merges) {}

    private ToyTokenizerFiles() {}

    /**
     * Learns the vocabulary of {@code words} and writes the four files into {@code dir}, each atomically, then
     * checks with {@link ClipTokenizer} that every word is one token.
     *
     * @throws IllegalStateException when a word does not come out as one token (a bug)
     */
    static Written write(Path dir, List<String> words, int contextLength) throws IOException {
        List<String[]> merges = learn(words);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < 256; i++) {
            vocab.put(String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAt(i))), vocab.size());
        }
        for (int i = 0; i < 256; i++) {
            vocab.put(String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAt(i))) + END_OF_WORD, vocab.size());
        }
        for (String[] m : merges) {
            vocab.putIfAbsent(m[0] + m[1], vocab.size());
        }
        vocab.put(START, vocab.size());
        vocab.put(END, vocab.size());
        StringBuilder mergesTxt = new StringBuilder("#version: 0.2\n");
        for (String[] m : merges) {
            mergesTxt.append(m[0]).append(' ').append(m[1]).append('\n');
        }
        Json.write(dir.resolve("vocab.json"), vocab);
        AtomicFiles.writeBytes(dir.resolve("merges.txt"), mergesTxt.toString().getBytes(StandardCharsets.UTF_8));
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", START);
        special.put("eos_token", END);
        special.put("pad_token", END);
        special.put("unk_token", END);
        Json.write(dir.resolve("special_tokens_map.json"), special);
        Map<String, Object> config = new LinkedHashMap<>(special);
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("model_max_length", contextLength);
        config.put("do_lower_case", true);
        config.put("add_prefix_space", false);
        config.put("errors", "replace");
        config.put("clean_up_tokenization_spaces", true);
        Json.write(dir.resolve("tokenizer_config.json"), config);
        Written w = new Written(vocab.size(), vocab.get(START), vocab.get(END), merges.size());
        check(dir, words, contextLength, w);
        return w;
    }

    /**
     * Writes the tokenizer of the toy world's captions (every caption word one token, {@link ToyCaptionWords}) into a
     * model folder, e.g. to give a small CLIP-layout test model a vocabulary it can embed.
     *
     * @return the vocabulary size
     */
    public static int writeCaptionTokenizer(Path dir, int contextLength) throws IOException {
        return write(dir, ToyCaptionWords.words(), contextLength).vocabSize();
    }

    /** The merges, in rank order, that turn every word (its last byte marked {@code </w>}, as CLIP's) into one symbol. */
    static List<String[]> learn(List<String> words) {
        return learn(words, END_OF_WORD);
    }

    /**
     * The merges, in rank order, that turn every word into one symbol, its last byte symbol suffixed with
     * {@code endOfWord} ({@code ""} for GPT-2's byte-level BPE, which marks no word ends).
     */
    static List<String[]> learn(List<String> words, String endOfWord) {
        List<List<String>> seqs = new ArrayList<>();
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            List<String> s = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                s.add(String.valueOf(ByteUnicode.charOf(bytes[i])) + (i == bytes.length - 1 ? endOfWord : ""));
            }
            if (!s.isEmpty()) {
                seqs.add(s);
            }
        }
        List<String[]> merges = new ArrayList<>();
        while (true) {
            // pair -> count, iterated in key order so that ties go to the alphabetically first pair
            TreeMap<String, int[]> counts = new TreeMap<>();
            Map<String, String[]> pairs = new LinkedHashMap<>();
            for (List<String> s : seqs) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    String key = s.get(i) + " " + s.get(i + 1);
                    counts.computeIfAbsent(key, k -> new int[1])[0]++;
                    pairs.putIfAbsent(key, new String[] {s.get(i), s.get(i + 1)});
                }
            }
            if (counts.isEmpty()) {
                return merges;
            }
            String best = null;
            int bestCount = 0;
            for (Map.Entry<String, int[]> e : counts.entrySet()) {
                if (e.getValue()[0] > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue()[0];
                }
            }
            String[] pair = pairs.get(best);
            merges.add(pair);
            for (List<String> s : seqs) {
                List<String> merged = new ArrayList<>(s.size());
                for (int i = 0; i < s.size(); ) {
                    if (i + 1 < s.size() && s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        merged.add(pair[0] + pair[1]);
                        i += 2;
                    } else {
                        merged.add(s.get(i++));
                    }
                }
                s.clear();
                s.addAll(merged);
            }
        }
    }

    private static void check(Path dir, List<String> words, int contextLength, Written w) {
        ClipTokenizer t = ClipTokenizer.huggingFace(dir.resolve("vocab.json"), dir.resolve("merges.txt"), contextLength);
        if (t.vocabularySize() != w.vocabSize() || t.startTokenId() != w.startId() || t.endTokenId() != w.endId()) {
            throw new IllegalStateException(dir + ": the written tokenizer reads back with " + t.vocabularySize() + " ids, start "
                    + t.startTokenId() + ", end " + t.endTokenId() + "; expected " + w);
        }
        for (String word : words) {
            int[] ids = t.encode(word);
            if (ids.length != 3) {
                throw new IllegalStateException(dir + ": the toy tokenizer splits '" + word + "' into " + Arrays.toString(ids)
                        + "; expected one token between start and end");
            }
        }
    }
}

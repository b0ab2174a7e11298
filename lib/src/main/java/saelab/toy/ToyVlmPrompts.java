package saelab.toy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import saelab.lm.TextTokenizer;

/**
 * The toy VLM's prompts as token ids, through the model folder's own {@code tokenizer.json}: the llava-1.5 chat
 * format {@code USER: <image>\n{question} ASSISTANT:} with {@code <s>} prepended by the tokenizer and the one
 * {@code <image>} expanded to one image token per image feature (as {@code LlavaProcessor} does), and for
 * training the answer after a space, then {@code </s>}: {@code ... ASSISTANT: red</s>}. Encodings of repeated
 * strings are cached.
 */
final class ToyVlmPrompts implements AutoCloseable {

    /** The llava-1.5 user turn with one image, and the assistant's cue. */
    static String prompt(String question) {
        return "USER: " + ToyVlmTokenizerFiles.IMAGE + "\n" + question + " ASSISTANT:";
    }

    private final TextTokenizer tokenizer;
    private final ToyVlmTokenizerFiles.Ids ids;
    private final int imageTokens;
    private final Map<String, long[]> prompts = new HashMap<>();
    private final int imageAt;

    /**
     * Reads {@code dir/tokenizer.json}.
     *
     * @param imageTokens image features per image
     */
    ToyVlmPrompts(Path dir, ToyVlmTokenizerFiles.Ids ids, int imageTokens) throws IOException {
        this.tokenizer = TextTokenizer.load(dir);
        this.ids = ids;
        this.imageTokens = imageTokens;
        long[] p = prompt(new ToyQuestion(0, ToyQuestionType.COUNT, "how many objects are there?", ""));
        int at = 0;
        while (p[at] != ids.image()) {
            at++;
        }
        this.imageAt = at;
    }

    ToyVlmTokenizerFiles.Ids ids() {
        return ids;
    }

    /** The prompt of {@code question} with its image token expanded. */
    long[] prompt(ToyQuestion question) {
        return prompts.computeIfAbsent(question.question(), q -> expand(tokenizer.encode(prompt(q), true)));
    }

    /** The answer's ids (after a space, as it follows {@code ASSISTANT:}) and {@code </s>}. */
    long[] answer(ToyQuestion question) {
        long[] a = tokenizer.encode(" " + question.answer(), false);
        long[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = ids.eos();
        return out;
    }

    /** The text of generated ids, special tokens left out. */
    String decode(long[] generated) {
        return tokenizer.decode(generated, true);
    }

    private long[] expand(long[] raw) {
        int at = -1;
        for (int j = 0; j < raw.length; j++) {
            if (raw[j] == ids.image()) {
                if (at >= 0) {
                    throw new IllegalStateException("the toy VLM prompt holds two image tokens: " + Arrays.toString(raw));
                }
                at = j;
            }
        }
        if (at < 0) {
            throw new IllegalStateException("the toy VLM prompt holds no image token: " + Arrays.toString(raw));
        }
        long[] out = new long[raw.length - 1 + imageTokens];
        System.arraycopy(raw, 0, out, 0, at);
        Arrays.fill(out, at, at + imageTokens, ids.image());
        System.arraycopy(raw, at + 1, out, at + imageTokens, raw.length - at - 1);
        return out;
    }

    /** The position of the first image token in every prompt (the prefix {@code <s>USER: } is fixed). */
    int imageAt() {
        return imageAt;
    }

    /**
     * A training batch: each question's prompt, answer and {@code </s>}, right-padded with {@code <pad>}.
     */
    ToyVlmBatch trainingBatch(List<ToyQuestion> questions) {
        int b = questions.size();
        List<long[]> rows = new ArrayList<>(b);
        int[] from = new int[b];
        int[] to = new int[b];
        int longest = 0;
        for (int r = 0; r < b; r++) {
            long[] p = prompt(questions.get(r));
            long[] a = answer(questions.get(r));
            long[] row = Arrays.copyOf(p, p.length + a.length);
            System.arraycopy(a, 0, row, p.length, a.length);
            rows.add(row);
            from[r] = p.length;
            to[r] = row.length;
            longest = Math.max(longest, row.length);
        }
        long[][] ids2 = new long[b][longest];
        for (int r = 0; r < b; r++) {
            Arrays.fill(ids2[r], ids.pad());
            System.arraycopy(rows.get(r), 0, ids2[r], 0, rows.get(r).length);
        }
        return new ToyVlmBatch(ids2, imageAt(), from, to, List.copyOf(questions));
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

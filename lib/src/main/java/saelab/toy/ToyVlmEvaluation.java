package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import saelab.data.ToyWorld;
import saelab.image.Preprocessor;
import saelab.lm.GenerationResult;
import saelab.lm.llava.LlavaModel;

/**
 * The toy VLM's held-out accuracy, measured on the saved folder exactly as a user loads it: {@link LlavaModel#load}
 * on the folder, pixels by the folder's {@code preprocessor_config.json}, prompts by its {@code tokenizer.json}, greedy
 * decoding until {@code </s>}. A question is answered right when the normalised generated text equals the ground truth
 * (the normalisation of {@code saelab vlm ask}: trimmed, lower-cased, trailing punctuation dropped). Chance is the
 * accuracy of always answering the training questions' most frequent answer of that kind.
 */
final class ToyVlmEvaluation {

    /** Scenes whose features are computed at a time. */
    private static final int CHUNK = 64;
    /** New tokens allowed for a one-word answer (the word, {@code </s>}, and slack to see a wrong longer answer). */
    private static final int WORD_TOKENS = 4;

    private ToyVlmEvaluation() {}

    /** The answer normalisation: trimmed, lower-cased, trailing punctuation dropped. */
    static String normalise(String answer) {
        String s = answer.strip().toLowerCase(Locale.ROOT);
        int end = s.length();
        while (end > 0 && ".,;:!?".indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(0, end).strip();
    }

    /** The most frequent answer per kind (ties: the alphabetically first). */
    static Map<ToyQuestionType, String> majority(List<ToyQuestion> questions) {
        Map<ToyQuestionType, Map<String, Integer>> counts = new EnumMap<>(ToyQuestionType.class);
        for (ToyQuestion q : questions) {
            counts.computeIfAbsent(q.type(), k -> new TreeMap<>()).merge(q.answer(), 1, Integer::sum);
        }
        Map<ToyQuestionType, String> out = new EnumMap<>(ToyQuestionType.class);
        counts.forEach((type, c) -> out.put(type, c.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))).orElseThrow().getKey()));
        return out;
    }

    /**
     * Scores the folder {@code dir} on the held-out questions.
     *
     * @param training the training questions (for the majority answers)
     * @param heldOut  the held-out questions, grouped by scene in scene order
     */
    static List<ToyVlmScore> run(Path dir, ToyWorld world, ToyVlmTokenizerFiles.Ids ids, List<ToyQuestion> training, List<ToyQuestion> heldOut)
            throws IOException {
        Map<ToyQuestionType, String> majority = majority(training);
        Map<ToyQuestionType, int[]> tally = new EnumMap<>(ToyQuestionType.class); // {right, total, chance right}
        Map<Integer, List<ToyQuestion>> byScene = new TreeMap<>();
        for (ToyQuestion q : heldOut) {
            byScene.computeIfAbsent(q.scene(), k -> new ArrayList<>()).add(q);
        }
        int[] scenes = byScene.keySet().stream().mapToInt(Integer::intValue).toArray();
        ToyData data = new ToyData(world, Preprocessor.load(dir));
        try (LlavaModel model = LlavaModel.load(dir);
             ToyVlmPrompts prompts = new ToyVlmPrompts(dir, ids, model.config().imageSeqLength());
             NDManager manager = NDManager.newBaseManager()) {
            int captionTokens = 7 * world.maxObjects() + 2;
            for (int start = 0; start < scenes.length; start += CHUNK) {
                int[] chunk = Arrays.copyOfRange(scenes, start, Math.min(scenes.length, start + CHUNK));
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    ToyBatch b = data.batch(chunk);
                    NDArray selected = model.selectedFeatures(manager.create(b.pixels().values(), new Shape(b.pixels().shape())));
                    Map<Integer, Integer> row = new HashMap<>();
                    IntStream.range(0, chunk.length).forEach(i -> row.put(chunk[i], i));
                    Map<ToyQuestionType, List<ToyQuestion>> byType = new EnumMap<>(ToyQuestionType.class);
                    for (int s : chunk) {
                        for (ToyQuestion q : byScene.get(s)) {
                            byType.computeIfAbsent(q.type(), k -> new ArrayList<>()).add(q);
                        }
                    }
                    for (Map.Entry<ToyQuestionType, List<ToyQuestion>> e : byType.entrySet()) {
                        List<ToyQuestion> qs = e.getValue();
                        long[] which = qs.stream().mapToLong(q -> row.get(q.scene())).toArray();
                        NDArray feats = selected.get(new NDIndex("{}", manager.create(which)));
                        long[][] prompt = new long[qs.size()][];
                        int longest = 0;
                        for (int r = 0; r < qs.size(); r++) {
                            prompt[r] = prompts.prompt(qs.get(r));
                            longest = Math.max(longest, prompt[r].length);
                        }
                        long[][] mask = new long[qs.size()][longest];
                        long[] flat = new long[qs.size() * longest];
                        for (int r = 0; r < qs.size(); r++) {
                            int pad = longest - prompt[r].length; // left padding
                            Arrays.fill(flat, r * longest, r * longest + pad, ids.pad());
                            System.arraycopy(prompt[r], 0, flat, r * longest + pad, prompt[r].length);
                            Arrays.fill(mask[r], pad, longest, 1);
                        }
                        int maxNew = e.getKey() == ToyQuestionType.CAPTION ? captionTokens : WORD_TOKENS;
                        try (GenerationResult g = model.generateFromFeatures(feats, manager.create(flat, new Shape(qs.size(), longest)), mask,
                                model.greedy(maxNew))) {
                            int[] t = tally.computeIfAbsent(e.getKey(), k -> new int[3]);
                            for (int r = 0; r < qs.size(); r++) {
                                String said = normalise(prompts.decode(g.newIds()[r]));
                                String truth = normalise(qs.get(r).answer());
                                t[0] += said.equals(truth) ? 1 : 0;
                                t[1]++;
                                t[2] += truth.equals(normalise(majority.getOrDefault(e.getKey(), ""))) ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }
        List<ToyVlmScore> out = new ArrayList<>();
        for (ToyQuestionType type : ToyQuestionType.values()) {
            int[] t = tally.get(type);
            if (t != null) {
                out.add(new ToyVlmScore(type, t[1], (double) t[0] / t[1], (double) t[2] / t[1], majority.getOrDefault(type, "")));
            }
        }
        return out;
    }
}

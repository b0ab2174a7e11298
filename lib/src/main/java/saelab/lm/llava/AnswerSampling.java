package saelab.lm.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import saelab.lm.GenerationOptions;
import saelab.lm.GenerationResult;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;

/**
 * Samples many answers of a LLaVA model to one question about one image from its (possibly edited) selected
 * features: the samples run as batches of identical rows with the KV cache ({@link LlavaModel#generateFromFeatures}),
 * each row stopping at the model's end-of-sequence tokens or after {@code maxNewTokens}. Answer i always draws from
 * the generator seeded from (seed, i), whatever the batch size (the {@link saelab.lm.Sampler} seeds batch row r from
 * seed + φ·r, φ = 0x9E3779B97F4A7C15, so a batch starting at answer s is given seed + φ·s), which is what makes
 * answers before and after an edit paired: with the same options answer i of both runs uses the same random stream.
 */
public final class AnswerSampling {

    /** The golden-ratio increment of {@link saelab.lm.Sampler}'s per-row seeds. */
    private static final long PHI = 0x9E3779B97F4A7C15L;

    /**
     * How many answers and how.
     *
     * @param samples      answers to draw (at least 1)
     * @param sampling     temperature (0: greedy), top-k, top-p and the seed
     * @param maxNewTokens the most tokens per answer (at least 1)
     * @param batch        answers decoded together (at least 1); changes speed and memory, never the answers
     */
    public record Options(int samples, SamplingOptions sampling, int maxNewTokens, int batch) {

        /** Checks the ranges. */
        public Options {
            if (samples < 1) {
                throw new IllegalArgumentException("samples is " + samples + "; expected at least 1 answer");
            }
            if (sampling == null) {
                throw new IllegalArgumentException("sampling options are missing");
            }
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("max tokens is " + maxNewTokens + "; expected at least 1 new token per answer");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch is " + batch + "; expected at least 1 answer per batch");
            }
        }
    }

    private AnswerSampling() {}

    /**
     * Draws the answers.
     *
     * @param features {@code [1, N, D_vision]} the image's selected features (edited or not)
     * @param prompt   the question with one image token per feature row
     * @param progress told the number of answers finished after each batch (may be null)
     * @return every answer's text (its tokens up to the stop token, special tokens left out), in sample order
     * @throws IllegalArgumentException when the features do not hold one image of the prompt's feature count
     */
    public static List<String> sample(LlavaModel model, TextTokenizer tokenizer, NDArray features, LlavaPrompt prompt, Options options,
                                      IntConsumer progress) {
        Shape s = features.getShape();
        if (s.dimension() != 3 || s.get(0) != 1 || s.get(1) != prompt.imageTokens()) {
            throw new IllegalArgumentException("the selected features have shape " + s + "; expected [1, " + prompt.imageTokens()
                    + ", width] (one image, one feature per image token of the prompt)");
        }
        LlavaConfig cfg = model.config();
        int[] stops = cfg.stopTokenIds().stream().mapToInt(Integer::intValue).toArray();
        long[] ids = prompt.ids();
        List<String> answers = new ArrayList<>(options.samples());
        SamplingOptions base = options.sampling();
        for (int start = 0; start < options.samples(); start += options.batch()) {
            int b = Math.min(options.batch(), options.samples() - start);
            SamplingOptions rows = new SamplingOptions(base.temperature(), base.topK(), base.topP(), base.seed() + PHI * start);
            GenerationOptions g = new GenerationOptions(options.maxNewTokens(), rows, stops, cfg.padTokenId(), false);
            try (NDManager scope = features.getManager().newSubManager()) {
                NDArray batchFeatures = features.tile(new long[] {b, 1, 1});
                batchFeatures.attach(scope);
                long[] flat = new long[b * ids.length];
                for (int r = 0; r < b; r++) {
                    System.arraycopy(ids, 0, flat, r * ids.length, ids.length);
                }
                NDArray batchIds = scope.create(flat, new Shape(b, ids.length));
                try (GenerationResult result = model.generateFromFeatures(batchFeatures, batchIds, null, g)) {
                    for (long[] row : result.newIds()) {
                        answers.add(tokenizer.decode(untilStop(row, g), true));
                    }
                }
            }
            if (progress != null) {
                progress.accept(b);
            }
        }
        return answers;
    }

    /** The tokens before the first stop token. */
    private static long[] untilStop(long[] row, GenerationOptions g) {
        for (int i = 0; i < row.length; i++) {
            if (g.stops(row[i])) {
                return Arrays.copyOf(row, i);
            }
        }
        return row;
    }
}

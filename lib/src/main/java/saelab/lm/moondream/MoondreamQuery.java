package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import saelab.lm.Sampler;
import saelab.lm.SamplingOptions;

/**
 * moondream2's question answering after the image prefix: {@code query(reasoning=False)},
 * {@code _prefill_prompt} and {@code _generate_answer} of the reference {@code moondream/torch/moondream.py}
 * (github.com/vikhyat/moondream at 44146f1).
 * <ul>
 *   <li>The prompt is the query template's prefix, the question ids and the suffix TWICE: at this commit
 *       {@code query} appends the suffix to the prompt and then once more when not reasoning.</li>
 *   <li>The prompt is decoded in one forward after the cached prefix; its last logits choose the first
 *       token (unmasked). Then, while the token is not end-of-sequence and fewer than {@code maxTokens}
 *       were emitted: the token is emitted, embedded and decoded at the next position, the answer id's
 *       logit is set to -inf, and the next token is chosen. (So one decode step runs after the last
 *       emitted token, as in the reference.)</li>
 *   <li>Choosing: greedy argmax at temperature 0, else a draw from softmax(logits / T) restricted to the
 *       top-p nucleus, through {@link Sampler} (the reference keeps a token while the mass before it is at
 *       most top_p, {@link Sampler} while it is below: they differ only on exact ties of the cumulative
 *       mass; draws are reproducible by seed, not torch's random stream).</li>
 * </ul>
 */
public final class MoondreamQuery {

    /** The reference's default maximum answer length. */
    public static final int DEFAULT_MAX_TOKENS = 768;
    /** The reference's default sampling temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.5;
    /** The reference's default top-p. */
    public static final double DEFAULT_TOP_P = 0.3;

    private MoondreamQuery() {}

    /**
     * How an answer is generated.
     *
     * @param maxTokens      the most tokens emitted (at least 1)
     * @param sampling       greedy or sampled ({@link SamplingOptions}: temperature, top-p, seed; top-k is not part of
     *                       moondream's sampling, but honoured when set)
     * @param keepStepLogits whether the answer keeps the raw logits of every step
     */
    public record Settings(int maxTokens, SamplingOptions sampling, boolean keepStepLogits) {

        /** Checks the ranges. */
        public Settings {
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max tokens is " + maxTokens + "; expected at least 1");
            }
            if (sampling == null) {
                throw new IllegalArgumentException("sampling options are missing");
            }
        }

        /** Greedy decoding (temperature 0, the golden fixture's settings), step logits kept. */
        public static Settings greedy(int maxTokens) {
            return new Settings(maxTokens, SamplingOptions.greedy(), true);
        }

        /** Sampling at {@code temperature} with nucleus {@code topP} and {@code seed}, step logits not kept. */
        public static Settings sample(int maxTokens, double temperature, double topP, long seed) {
            return new Settings(maxTokens, SamplingOptions.sample(temperature, seed).withTopP(topP), false);
        }

        /** The reference's defaults: 768 tokens, temperature 0.5, top-p 0.3. */
        public static Settings referenceDefaults(long seed) {
            return sample(DEFAULT_MAX_TOKENS, DEFAULT_TEMPERATURE, DEFAULT_TOP_P, seed);
        }
    }

    /**
     * The prompt of a question: template prefix, question, suffix, suffix.
     *
     * @param contextLeft positions left after the image prefix (the context minus the prefix)
     * @throws IllegalArgumentException when the model has no query template, a question id is outside the vocabulary, or
     *                                  the prompt does not fit in {@code contextLeft}
     */
    public static long[] promptIds(MoondreamTokenizerConfig tok, long[] questionIds, int vocabSize, int contextLeft) {
        if (!tok.supportsQuery()) {
            throw new IllegalArgumentException("the model's config.json has no query template (tokenizer.templates.query is null),"
                    + " so it cannot answer questions");
        }
        int[] prefix = tok.queryPrefix();
        int[] suffix = tok.querySuffix();
        int template = prefix.length + 2 * suffix.length;
        if (questionIds.length > contextLeft - template) {
            throw new IllegalArgumentException("the question has " + questionIds.length + " tokens; at most " + Math.max(0, contextLeft - template)
                    + " fit in the context (" + contextLeft + " positions after the image, less " + template + " template tokens)");
        }
        for (int j = 0; j < questionIds.length; j++) {
            if (questionIds[j] < 0 || questionIds[j] >= vocabSize) {
                throw new IllegalArgumentException("question token id " + questionIds[j] + " at index " + j + " is outside the vocabulary [0, "
                        + vocabSize + ")");
            }
        }
        long[] ids = new long[questionIds.length + template];
        int n = 0;
        for (int id : prefix) {
            ids[n++] = id;
        }
        for (long id : questionIds) {
            ids[n++] = id;
        }
        for (int twice = 0; twice < 2; twice++) {
            for (int id : suffix) {
                ids[n++] = id;
            }
        }
        return ids;
    }

    /**
     * Decodes {@code promptIds} after what {@code cache} holds and generates the answer; the cache is
     * extended (use a copy of an encoded image's cache).
     *
     * @throws IllegalArgumentException when the prompt does not fit in the cache
     */
    public static MoondreamAnswer generate(MoondreamText text, MoondreamTokenizerConfig tok, MoondreamKvCache cache, long[] promptIds,
                                           Settings settings) {
        Sampler sampler = new Sampler(settings.sampling(), 1);
        List<float[]> steps = new ArrayList<>();
        long[] ids;
        int emitted = 0;
        MoondreamAnswer.Stop stop = MoondreamAnswer.Stop.MAX_TOKENS;
        try (NDManager scratch = NDManager.newBaseManager(text.device())) {
            float[] logits = lastLogits(text, cache, promptIds, scratch);
            // at most one token per free cache position, plus the one emitted when the cache is full
            ids = new long[Math.min(settings.maxTokens(), cache.capacity() - cache.length() + 1)];
            keep(settings, steps, logits);
            long next = sampler.next(0, logits);
            while (emitted < settings.maxTokens()) {
                if (next == tok.eosId()) {
                    stop = MoondreamAnswer.Stop.EOS;
                    break;
                }
                ids[emitted++] = next;
                if (cache.length() >= cache.capacity()) {
                    stop = MoondreamAnswer.Stop.CONTEXT;
                    break;
                }
                logits = lastLogits(text, cache, new long[] {next}, scratch);
                keep(settings, steps, logits);
                logits[tok.answerId()] = Float.NEGATIVE_INFINITY;
                next = sampler.next(0, logits);
            }
        }
        return new MoondreamAnswer(Arrays.copyOf(ids, emitted), settings.keepStepLogits() ? steps.toArray(float[][]::new) : null, stop);
    }

    private static float[] lastLogits(MoondreamText text, MoondreamKvCache cache, long[] ids, NDManager parent) {
        try (NDManager step = parent.newSubManager()) {
            NDArray embeds = text.embed(ids, step);
            MoondreamText.Output out = text.forward(embeds, cache, false);
            return text.lastLogits(out.hidden()).toFloatArray();
        }
    }

    private static void keep(Settings settings, List<float[]> steps, float[] logits) {
        if (settings.keepStepLogits()) {
            steps.add(logits.clone());
        }
    }
}

package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Autoregressive decoding as transformers 4.45.2 {@code GenerationMixin.generate} with a cache: one
 * prefill of the whole prompt (embeddings, so image features may already be merged), then one token per
 * step through the {@link KvCache}. A left-padded batch keeps its attention mask (extended by a 1 per
 * step) and its positions continue from {@code cumsum(mask) - 1}, so each row decodes as if alone. A row
 * that produces a stop token is finished: it gets the pad id from then on, and decoding ends when every
 * row is finished or after {@code maxNewTokens} steps.
 */
public final class Generation {

    private Generation() {}

    /**
     * Generates from a prompt.
     *
     * @param inputsEmbeds  {@code [B, T, D]} the prompt's embeddings
     * @param attentionMask {@code [B][T]} 0 on left pads, else 1 (null: no padding)
     * @return the new ids and, if asked, the step logits on {@code inputsEmbeds}' manager
     * @throws IllegalArgumentException when the prompt plus the new tokens would pass {@code max_position_embeddings}
     */
    public static GenerationResult generate(DecoderLm lm, NDArray inputsEmbeds, long[][] attentionMask, GenerationOptions opts) {
        Shape s = inputsEmbeds.getShape();
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        long needed = (long) t + opts.maxNewTokens() - 1;
        if (needed > lm.config().maxPositions()) {
            throw new IllegalArgumentException("a prompt of " + t + " tokens plus " + opts.maxNewTokens() + " new tokens needs " + needed
                    + " positions, more than max_position_embeddings " + lm.config().maxPositions() + " of " + lm.config().source());
        }
        long[][] mask = new long[b][];
        for (int r = 0; r < b; r++) {
            mask[r] = attentionMask == null ? filled(t) : attentionMask[r].clone();
        }
        NDManager out = inputsEmbeds.getManager();
        Sampler sampler = new Sampler(opts.sampling(), b);
        long[][] ids = new long[b][opts.maxNewTokens()];
        boolean[] finished = new boolean[b];
        List<NDArray> kept = new ArrayList<>();
        int steps = 0;
        try (NDManager scratch = out.newSubManager(); KvCache cache = lm.newCache(scratch)) {
            NDArray logits = lm.forward(inputsEmbeds, mask, null, cache, DecoderLm.Keep.LAST_LOGITS).logits(); // [B, 1, V]
            while (true) {
                float[] flat = logits.toFloatArray();
                int v = flat.length / b;
                if (opts.keepStepLogits()) {
                    NDArray step = logits.reshape(b, 1, v);
                    step.attach(scratch);
                    kept.add(step);
                }
                logits.close();
                int done = 0;
                for (int r = 0; r < b; r++) {
                    long next;
                    if (finished[r]) {
                        next = opts.padTokenId();
                    } else {
                        next = sampler.next(r, Arrays.copyOfRange(flat, r * v, (r + 1) * v));
                        finished[r] = opts.stops(next);
                    }
                    ids[r][steps] = next;
                    done += finished[r] ? 1 : 0;
                }
                steps++;
                if (done == b || steps == opts.maxNewTokens()) {
                    break;
                }
                long[][] grown = new long[b][];
                long[][] stepIds = new long[b][1];
                for (int r = 0; r < b; r++) {
                    grown[r] = Arrays.copyOf(mask[r], mask[r].length + 1);
                    grown[r][mask[r].length] = 1;
                    stepIds[r][0] = ids[r][steps - 1];
                }
                mask = grown;
                try (NDManager stepScope = scratch.newSubManager()) {
                    NDArray embeds = lm.embed(stepScope.create(flatten(stepIds), new Shape(b, 1)));
                    logits = lm.forward(embeds, mask, null, cache, DecoderLm.Keep.LAST_LOGITS).logits();
                    logits.attach(scratch);
                }
            }
            NDArray stepLogits = null;
            if (opts.keepStepLogits()) {
                stepLogits = NDArrays.concat(new NDList(kept), 1);
                stepLogits.attach(out);
            }
            long[][] trimmed = new long[b][];
            for (int r = 0; r < b; r++) {
                trimmed[r] = Arrays.copyOf(ids[r], steps);
            }
            return new GenerationResult(trimmed, stepLogits);
        }
    }

    private static long[] filled(int t) {
        long[] m = new long[t];
        Arrays.fill(m, 1);
        return m;
    }

    private static long[] flatten(long[][] a) {
        return Arrays.stream(a).flatMapToLong(Arrays::stream).toArray();
    }
}

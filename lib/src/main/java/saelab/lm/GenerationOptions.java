package saelab.lm;

import java.util.Arrays;

/**
 * The settings of one {@link Generation#generate} call.
 *
 * @param maxNewTokens   the most tokens generated per row (at least 1)
 * @param sampling       greedy or sampled decoding
 * @param stopTokenIds   ids that end a row (its end-of-sequence tokens); the stop token itself is kept
 * @param padTokenId     the id written after a row has stopped, as transformers 4.45.2 {@code generate}
 *                       (which uses the first end-of-sequence id when the model has no pad token)
 * @param keepStepLogits whether to return the raw logits of every step
 */
public record GenerationOptions(int maxNewTokens, SamplingOptions sampling, int[] stopTokenIds, int padTokenId, boolean keepStepLogits) {

    /** Checks the ranges and copies the stop ids. */
    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens is " + maxNewTokens + "; expected at least 1");
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling options are missing");
        }
        stopTokenIds = stopTokenIds == null ? new int[0] : stopTokenIds.clone();
    }

    /** Greedy decoding of up to {@code maxNewTokens}, no stop tokens, step logits kept. */
    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, SamplingOptions.greedy(), new int[0], 0, true);
    }

    /** The same options, stopping at {@code ids} and padding finished rows with {@code pad}. */
    public GenerationOptions withStop(int[] ids, int pad) {
        return new GenerationOptions(maxNewTokens, sampling, ids, pad, keepStepLogits);
    }

    /** The same options with other sampling. */
    public GenerationOptions withSampling(SamplingOptions s) {
        return new GenerationOptions(maxNewTokens, s, stopTokenIds, padTokenId, keepStepLogits);
    }

    /** Whether {@code id} ends a row. */
    public boolean stops(long id) {
        for (int s : stopTokenIds) {
            if (s == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenerationOptions g && g.maxNewTokens == maxNewTokens && g.sampling.equals(sampling)
                && Arrays.equals(g.stopTokenIds, stopTokenIds) && g.padTokenId == padTokenId && g.keepStepLogits == keepStepLogits;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(stopTokenIds) * 31 + Integer.hashCode(maxNewTokens) + sampling.hashCode() + padTokenId;
    }

    @Override
    public String toString() {
        return "GenerationOptions[maxNewTokens=" + maxNewTokens + ", sampling=" + sampling + ", stopTokenIds=" + Arrays.toString(stopTokenIds)
                + ", padTokenId=" + padTokenId + ", keepStepLogits=" + keepStepLogits + "]";
    }
}

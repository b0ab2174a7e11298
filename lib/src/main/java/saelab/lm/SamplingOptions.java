package saelab.lm;

/**
 * How the next token is chosen: greedy (temperature 0) or sampled from softmax(logits / temperature),
 * restricted first to the {@code topK} highest logits and then to the smallest set of tokens whose
 * probability reaches {@code topP} (nucleus sampling, Holtzman et al. 2020) - the order of the warpers in
 * transformers 4.45.2 {@code GenerationMixin._get_logits_processor}. Unlike {@code generate}, nothing is
 * on by default: {@code topK} 0 and {@code topP} 1 mean no restriction (transformers' default {@code
 * top_k} is 50).
 *
 * @param temperature 0 for greedy, else positive
 * @param topK        keep the k highest logits (ties at the k-th value kept, as the reference), 0 for all
 * @param topP        keep the smallest set of most probable tokens reaching this mass, in (0, 1]
 * @param seed        the random seed; row r of a batch draws from its own generator seeded from (seed, r)
 */
public record SamplingOptions(double temperature, int topK, double topP, long seed) {

    /** Checks the ranges. */
    public SamplingOptions {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature is " + temperature + "; expected 0 (greedy) or a positive number");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k is " + topK + "; expected 0 (off) or a positive count");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p is " + topP + "; expected a probability in (0, 1]");
        }
    }

    /** Greedy decoding (argmax; the first index among equal maxima, as {@code torch.argmax}). */
    public static SamplingOptions greedy() {
        return new SamplingOptions(0, 0, 1, 0);
    }

    /** Sampling at {@code temperature} with no top-k or top-p restriction. */
    public static SamplingOptions sample(double temperature, long seed) {
        return new SamplingOptions(temperature, 0, 1, seed);
    }

    /** The same options with top-k {@code k}. */
    public SamplingOptions withTopK(int k) {
        return new SamplingOptions(temperature, k, topP, seed);
    }

    /** The same options with top-p {@code p}. */
    public SamplingOptions withTopP(double p) {
        return new SamplingOptions(temperature, topK, p, seed);
    }

    /** Whether this is greedy decoding. */
    public boolean isGreedy() {
        return temperature == 0;
    }
}

package saelab.lm;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses next tokens from logits by {@link SamplingOptions}, on the host in double precision: greedy
 * argmax, or a draw from the distribution after temperature, top-k and top-p (the warpers of transformers
 * 4.45.2 in their order: TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper). Draws are
 * reproducible for a seed: each batch row has its own generator, seeded from (seed, row), so a row's
 * samples do not depend on the other rows. Torch's random stream is not reproduced: sampled tokens match
 * the reference in distribution, not draw by draw.
 */
public final class Sampler {

    private final SamplingOptions options;
    private final SplittableRandom[] rows;

    /** A sampler for a batch of {@code batch} rows. */
    public Sampler(SamplingOptions options, int batch) {
        this.options = options;
        this.rows = new SplittableRandom[batch];
        for (int r = 0; r < batch; r++) {
            rows[r] = new SplittableRandom(options.seed() + 0x9E3779B97F4A7C15L * r);
        }
    }

    /** The next token of batch row {@code row} given its logits {@code [V]}. */
    public int next(int row, float[] logits) {
        if (options.isGreedy()) {
            return argmax(logits);
        }
        double[] p = distribution(logits, options);
        double u = rows[row].nextDouble();
        double cum = 0;
        int last = -1;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                cum += p[i];
                last = i;
                if (u < cum) {
                    return i;
                }
            }
        }
        return last; // u fell in the rounding gap below 1
    }

    /** The index of the largest value; the first among equals. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best] || Float.isNaN(logits[i]) && !Float.isNaN(logits[best])) {
                best = i;
            }
        }
        return best;
    }

    /**
     * The distribution a sampled token is drawn from: softmax(logits / temperature) over the tokens kept by
     * top-k (every logit at least the k-th largest) and then top-p (in decreasing probability, a token is kept
     * while the mass before it is below p: the smallest set reaching p; tokens tied with the last one kept
     * are kept too), renormalised. For greedy options,
     * all mass on the argmax.
     *
     * @return probabilities {@code [V]}, zero for removed tokens
     */
    public static double[] distribution(float[] logits, SamplingOptions o) {
        int v = logits.length;
        double[] p = new double[v];
        if (o.isGreedy()) {
            p[argmax(logits)] = 1;
            return p;
        }
        boolean[] kept = new boolean[v];
        Arrays.fill(kept, true);
        if (o.topK() > 0 && o.topK() < v) {
            float[] sorted = logits.clone();
            Arrays.sort(sorted);
            float kth = sorted[v - o.topK()];
            for (int i = 0; i < v; i++) {
                kept[i] = logits[i] >= kth;
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            if (kept[i]) {
                max = Math.max(max, logits[i] / o.temperature());
            }
        }
        double sum = 0;
        for (int i = 0; i < v; i++) {
            if (kept[i]) {
                p[i] = Math.exp(logits[i] / o.temperature() - max);
                sum += p[i];
            }
        }
        for (int i = 0; i < v; i++) {
            p[i] /= sum;
        }
        if (o.topP() < 1) {
            // the smallest kept probability: walk the sorted values down until the mass before reaches p
            double[] sorted = p.clone();
            Arrays.sort(sorted);
            double before = 0;
            double threshold = sorted[v - 1];
            for (int i = v - 1; i >= 0 && before < o.topP(); i--) {
                threshold = sorted[i];
                before += sorted[i];
            }
            double keptMass = 0;
            for (int i = 0; i < v; i++) {
                if (p[i] >= threshold) {
                    keptMass += p[i];
                } else {
                    p[i] = 0;
                }
            }
            for (int i = 0; i < v; i++) {
                p[i] /= keptMass;
            }
        }
        return p;
    }
}

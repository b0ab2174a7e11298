package saelab.intervene.stats;

import java.util.Arrays;

/**
 * Holm–Bonferroni adjusted p-values (Holm 1979, "A simple sequentially rejective multiple test procedure"), for the
 * per-class tests of a protocol: with the m p-values sorted ascending p₍₁₎ ≤ … ≤ p₍ₘ₎, the adjusted value of the j-th
 * is max over k ≤ j of min(1, (m − k + 1)·p₍ₖ₎). Rejecting where the adjusted value is at most α controls the
 * family-wise error rate at α under any dependence between the tests, and is uniformly more powerful than plain
 * Bonferroni. The same adjustment as R's {@code p.adjust(p, "holm")}; written here because Smile has no
 * multiple-testing correction. Memory O(m).
 */
public final class HolmBonferroni {

    private HolmBonferroni() {}

    /**
     * The adjusted p-values, in the order given.
     *
     * @throws IllegalArgumentException when a p-value is NaN or outside [0, 1]
     */
    public static double[] adjust(double[] p) {
        int m = p.length;
        for (int i = 0; i < m; i++) {
            if (!(p[i] >= 0 && p[i] <= 1)) {
                throw new IllegalArgumentException("p-value " + i + " is " + p[i] + "; expected a value in [0, 1]");
            }
        }
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
        double[] out = new double[m];
        double running = 0;
        for (int k = 0; k < m; k++) {
            running = Math.max(running, Math.min(1.0, (m - k) * p[order[k]]));
            out[order[k]] = running;
        }
        return out;
    }
}

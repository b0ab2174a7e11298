package saelab.intervene.stats;

import java.util.Arrays;

/**
 * Wilcoxon signed-rank test (Wilcoxon 1945, "Individual comparisons by ranking methods") of a real edit against a
 * control on the same images. The absolute differences |dᵢ| are ranked (ties get their average rank); W⁺ is the sum
 * of the ranks of the positive differences. Zero differences are dropped before ranking, Wilcoxon's own rule and
 * the default of R's {@code wilcox.test} and SciPy's {@code wilcoxon}.
 *
 * <p><b>p-value.</b> Under the null each rank's sign is ±1 with probability ½, so the p-value is the sign-flip
 * randomisation distribution of Σ sᵢ rᵢ = W⁺ − W⁻ = 2W⁺ − n(n+1)/2 ({@link SignFlipTest} on the signed ranks): exact
 * for n ≤ {@link SignFlipTest#EXACT_MAX_PAIRS} non-zero differences (the classical exact test when there are no
 * ties, and the exact conditional test given the tied ranks otherwise, as R's {@code coin::wilcoxsign_test}),
 * Monte-Carlo above. No normal approximation is needed, so there is no continuity or tie correction to get
 * wrong.
 *
 * <p><b>Why not a library.</b> Smile 4.4 ({@code smile.stat.hypothesis}) has no signed-rank test; Apache Commons
 * Math 3.6.1's {@code WilcoxonSignedRankTest} (on the classpath through Tablesaw) ranks zero differences as if
 * negative, has no tie correction and applies its continuity correction in the wrong direction (MATH-1233, still
 * open in that last 3.x release), so it is not used. Memory O(n).
 */
public final class WilcoxonSignedRank {

    private WilcoxonSignedRank() {}

    /** The test of real − control per image; {@link PairedTest#statistic()} is W⁺. */
    public static PairedTest test(double[] real, double[] control, long seed) {
        return test(SignFlipTest.differences(real, control), SignFlipTest.DEFAULT_DRAWS, seed);
    }

    /**
     * The test of per-image differences.
     *
     * @param d     dᵢ, finite
     * @param draws Monte-Carlo sign patterns when the non-zero differences exceed {@link SignFlipTest#EXACT_MAX_PAIRS}
     * @param seed  seed of the patterns
     * @return W⁺ as the statistic, n = the non-zero differences
     */
    public static PairedTest test(double[] d, int draws, long seed) {
        SignFlipTest.requireFinite(d);
        double[] signedRanks = signedRanks(d);
        double wPlus = 0;
        for (double r : signedRanks) {
            if (r > 0) {
                wPlus += r;
            }
        }
        PairedTest flip = SignFlipTest.test(signedRanks, draws, seed);
        return new PairedTest(wPlus, flip.pValue(), signedRanks.length, flip.exact(), flip.draws());
    }

    /** The non-zero differences' average ranks of |dᵢ|, with the sign of dᵢ (zeros dropped, order kept). */
    static double[] signedRanks(double[] d) {
        int n = 0;
        for (double v : d) {
            if (v != 0) {
                n++;
            }
        }
        double[] abs = new double[n];
        double[] sign = new double[n];
        for (int i = 0, k = 0; i < d.length; i++) {
            if (d[i] != 0) {
                abs[k] = Math.abs(d[i]);
                sign[k++] = Math.signum(d[i]);
            }
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(abs[x], abs[y]));
        double[] out = new double[n];
        for (int lo = 0; lo < n; ) {
            int hi = lo;
            while (hi + 1 < n && abs[order[hi + 1]] == abs[order[lo]]) {
                hi++;
            }
            double rank = (lo + hi) / 2.0 + 1;
            for (int k = lo; k <= hi; k++) {
                out[order[k]] = sign[order[k]] * rank;
            }
            lo = hi + 1;
        }
        return out;
    }
}

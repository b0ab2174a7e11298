package saelab.intervene.stats;

import java.util.SplittableRandom;

/**
 * Paired sign-flip permutation test (Fisher's randomisation test for paired data; Fisher 1935, "The Design of
 * Experiments", §21; Good 2005, "Permutation, Parametric and Bootstrap Tests of Hypotheses", §3.6.2) of a real edit
 * against a control measured on the same images. With dᵢ the per-image difference (real minus control), the null
 * hypothesis is that each dᵢ is symmetric about 0 (the labels "real" and "control" are exchangeable within an
 * image); the statistic is T = |Σᵢ dᵢ|, and the two-sided p-value is the share of sign patterns sᵢ ∈ {−1, +1} with
 * |Σᵢ sᵢ dᵢ| ≥ T.
 *
 * <ul>
 *   <li><b>Exact</b> when n ≤ {@link #EXACT_MAX_PAIRS}: all 2ⁿ patterns, p = #{|T*| ≥ T} / 2ⁿ, walked in Gray-code
 *       order so each pattern costs one addition.</li>
 *   <li><b>Monte-Carlo</b> otherwise: M random patterns (seeded), p = (1 + #{|T*| ≥ T}) / (1 + M), which counts the
 *       observed pattern and so is never 0 and stays valid (Phipson &amp; Smyth 2010, "Permutation p-values should
 *       never be zero").</li>
 * </ul>
 * Ties T* = T count as at least as extreme, up to a relative tolerance of 1e-9 of Σ|dᵢ| so that sums equal in exact
 * arithmetic are not split by rounding. Zero differences change no sum and may stay in. Unlike a t-test it
 * assumes no normality, and it handles the many ties and zeros of per-image rates. Cost O(2ⁿ) or O(M·n); memory
 * O(n).
 */
public final class SignFlipTest {

    /** The most pairs enumerated exactly (2²⁰ ≈ 10⁶ patterns). */
    public static final int EXACT_MAX_PAIRS = 20;
    /** The default number of Monte-Carlo sign patterns. */
    public static final int DEFAULT_DRAWS = 9999;

    private SignFlipTest() {}

    /** The test of per-image differences real − control, with {@link #DEFAULT_DRAWS} patterns when not exact. */
    public static PairedTest test(double[] real, double[] control, long seed) {
        return test(differences(real, control), DEFAULT_DRAWS, seed);
    }

    /**
     * The test of per-image differences.
     *
     * @param d     dᵢ, one per image, finite
     * @param draws M, random patterns when n exceeds {@link #EXACT_MAX_PAIRS}
     * @param seed  seed of the patterns
     */
    public static PairedTest test(double[] d, int draws, long seed) {
        requireFinite(d);
        if (draws < 1) {
            throw new IllegalArgumentException("the permutation test needs at least one draw, got " + draws);
        }
        int n = d.length;
        double sum = 0;
        double scale = 0;
        for (double v : d) {
            sum += v;
            scale += Math.abs(v);
        }
        double t = Math.abs(sum);
        if (n == 0 || scale == 0) {
            return new PairedTest(t, 1.0, n, true, 0);
        }
        double threshold = t - 1e-9 * scale;
        if (n <= EXACT_MAX_PAIRS) {
            // Gray code: pattern g(k) = k ^ (k >> 1) differs from g(k-1) in bit trailingZeros(k); start with every sign +.
            double s = sum;
            long atLeast = Math.abs(s) >= threshold ? 1 : 0;
            boolean[] negative = new boolean[n];
            long patterns = 1L << n;
            for (long k = 1; k < patterns; k++) {
                int i = Long.numberOfTrailingZeros(k);
                s += negative[i] ? 2 * d[i] : -2 * d[i];
                negative[i] = !negative[i];
                if (Math.abs(s) >= threshold) {
                    atLeast++;
                }
            }
            return new PairedTest(t, (double) atLeast / patterns, n, true, 0);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        long atLeast = 0;
        for (int m = 0; m < draws; m++) {
            double s = 0;
            long bits = 0;
            for (int i = 0; i < n; i++) {
                if ((i & 63) == 0) {
                    bits = rng.nextLong();
                }
                s += (bits & 1) == 0 ? d[i] : -d[i];
                bits >>>= 1;
            }
            if (Math.abs(s) >= threshold) {
                atLeast++;
            }
        }
        return new PairedTest(t, (1.0 + atLeast) / (1.0 + draws), n, false, draws);
    }

    /** Per-image differences real − control. */
    static double[] differences(double[] real, double[] control) {
        if (real == null || control == null || real.length != control.length) {
            throw new IllegalArgumentException("a paired test needs one real and one control value per image, got "
                    + (real == null ? "none" : real.length) + " and " + (control == null ? "none" : control.length));
        }
        double[] d = new double[real.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = real[i] - control[i];
        }
        return d;
    }

    static void requireFinite(double[] d) {
        if (d == null) {
            throw new IllegalArgumentException("a paired test needs per-image differences, got none");
        }
        for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
                throw new IllegalArgumentException("the paired difference of image " + i + " is " + d[i] + "; expected a finite value");
            }
        }
    }
}

package saelab.analysis;

import java.util.Arrays;
import java.util.Random;

/**
 * Two independent samples of a per-latent statistic (e.g. {@link StyleSpan.Span#excess()} of two models' latents)
 * compared two ways: the difference of their means with a percentile bootstrap confidence interval (each sample
 * resampled with replacement on its own, Efron &amp; Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13), and
 * the Mann-Whitney U test (Mann &amp; Whitney 1947) in its normal approximation with the tie correction of the variance
 * and a continuity correction of 0.5 (as {@code scipy.stats.mannwhitneyu(..., method="asymptotic")}), two-sided. Written
 * by hand: Smile 4.4 has no rank-sum test, and its {@code Bootstrap} splits data sets for model validation.
 */
public final class SampleComparison {

    /**
     * The comparison of A with B.
     *
     * @param nA     size of A
     * @param nB     size of B
     * @param meanA  mean of A
     * @param meanB  mean of B
     * @param diff   {@code meanA - meanB}
     * @param lo     lower end of the bootstrap interval of {@code diff}
     * @param hi     upper end
     * @param level  the interval's coverage (e.g. 0.95)
     * @param u      Mann-Whitney U of A (pairs where A's value is larger, ties counting one half)
     * @param p      its two-sided p-value (normal approximation)
     */
    public record Result(int nA, int nB, double meanA, double meanB, double diff, double lo, double hi, double level, double u,
                         double p) {}

    private SampleComparison() {}

    /**
     * Compares two samples.
     *
     * @param replicates bootstrap replicates (at least 100)
     * @param level      coverage of the interval, in (0, 1)
     * @throws IllegalArgumentException one sentence, for an empty sample, a value that is not finite, too few replicates
     *                                  or a level outside (0, 1)
     */
    public static Result of(double[] a, double[] b, int replicates, double level, long seed) {
        if (a.length == 0 || b.length == 0) {
            throw new IllegalArgumentException("sample comparison: samples of " + a.length + " and " + b.length
                    + " values; expected at least one in each");
        }
        if (replicates < 100 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException("sample comparison: " + replicates + " replicates at level " + level
                    + "; expected at least 100 replicates and a level in (0, 1)");
        }
        for (double[] s : new double[][] {a, b}) {
            for (double v : s) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("sample comparison: a value is " + v + "; expected finite values");
                }
            }
        }
        double meanA = mean(a);
        double meanB = mean(b);
        Random r = new Random(seed);
        double[] diffs = new double[replicates];
        for (int i = 0; i < replicates; i++) {
            diffs[i] = resampledMean(a, r) - resampledMean(b, r);
        }
        Arrays.sort(diffs);
        double alpha = (1 - level) / 2;
        double[] up = mannWhitney(a, b);
        return new Result(a.length, b.length, meanA, meanB, meanA - meanB, quantile(diffs, alpha), quantile(diffs, 1 - alpha), level,
                up[0], up[1]);
    }

    /** {U of A, two-sided p}. */
    static double[] mannWhitney(double[] a, double[] b) {
        int n1 = a.length;
        int n2 = b.length;
        int n = n1 + n2;
        double[] all = new double[n];
        System.arraycopy(a, 0, all, 0, n1);
        System.arraycopy(b, 0, all, n1, n2);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(all[x], all[y]));
        double[] rank = new double[n];
        double ties = 0; // Σ (t³ - t) over tie groups
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && all[order[j + 1]] == all[order[i]]) {
                j++;
            }
            double mid = (i + j) / 2.0 + 1; // 1-based mid-rank
            for (int k = i; k <= j; k++) {
                rank[order[k]] = mid;
            }
            double t = j - i + 1;
            ties += t * t * t - t;
            i = j + 1;
        }
        double r1 = 0;
        for (int i = 0; i < n1; i++) {
            r1 += rank[i];
        }
        double u = r1 - n1 * (n1 + 1) / 2.0;
        double mu = n1 * (double) n2 / 2;
        double var = n1 * (double) n2 / 12 * ((n + 1) - ties / ((double) n * (n - 1)));
        if (!(var > 0)) {
            return new double[] {u, 1.0}; // every value equal: no evidence either way
        }
        double z = (Math.abs(u - mu) - 0.5) / Math.sqrt(var);
        double p = Math.min(1, 2 * normalUpperTail(Math.max(z, 0)));
        return new double[] {u, p};
    }

    /** P(Z > z) of the standard normal, through Smile's error function. */
    private static double normalUpperTail(double z) {
        return 0.5 * smile.math.special.Erf.erfc(z / Math.sqrt(2));
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    private static double resampledMean(double[] x, Random r) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[r.nextInt(x.length)];
        }
        return s / x.length;
    }

    /** Linear interpolation between order statistics (type 7, as numpy's default). */
    private static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

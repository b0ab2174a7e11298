package saelab.analysis;

import java.util.Arrays;
import smile.stat.hypothesis.TTest;

/**
 * The ultra-low-density cluster of an SAE's latents and how its label entropy compares with the rest: the numbers behind
 * the claim (H. Fry, "Towards multimodal interpretability: learning sparse interpretable features in vision
 * transformers", 2024; the saev paper, Stevens et al. 2025) that the latents which fire very rarely form a cluster of
 * their own whose top examples come from one class, i.e. have low label entropy.
 *
 * <p><b>The rule, fixed before looking at any run:</b> a latent is in the cluster when it fires (frequency &gt; 0) and
 * its firing frequency is below a fixed threshold, {@value #DEFAULT_THRESHOLD} by default: the lower end of saelab's
 * per-latent histograms ({@link LogHistogram#LOW_EXP}); on 10,000 images of 64 patch tokens each it means fewer
 * than 64 firings, less than one image's worth of patches. Latents that never fire are dead, not ultra-low density, and are counted apart. A
 * fixed threshold rather than a data-driven split keeps the rule from chasing the data; whether the log-frequency
 * distribution has a gap at all is reported beside it ({@link Summary#gapLow}, {@link Summary#gapHigh}: the widest empty
 * stretch between two consecutive firing latents on the log10 axis), so a reader sees whether the cluster is a
 * separate mode or just the tail.
 *
 * <p>The entropy comparison uses the latents whose entropy is known (a labelled top example, see
 * {@link LabelStatistics}); the difference of the means is tested with Welch's unequal-variance t-test (Smile's
 * {@code TTest.test(x, y, false)}). Low entropy can also mean that a latent's top examples are all background: when the
 * majority label of each latent's top examples is known, the summary counts, on each side, the latents whose majority
 * label is the background label ({@link #of(DensityView, double, int[], int)}).
 */
public final class LowDensityCluster {

    /** The default frequency threshold of the cluster (share of tokens). */
    public static final double DEFAULT_THRESHOLD = 1e-4;

    private LowDensityCluster() {}

    /**
     * The cluster's numbers.
     *
     * @param threshold          the frequency threshold used
     * @param latents            latents in the view
     * @param dead               latents that never fire (frequency 0)
     * @param cluster            firing latents below the threshold
     * @param rest               firing latents at or above it
     * @param clusterLabelled    cluster latents with a known label entropy
     * @param restLabelled       other firing latents with a known label entropy
     * @param clusterEntropy     mean label entropy (nats) in the cluster, NaN without labelled members
     * @param restEntropy        mean label entropy (nats) of the rest, NaN without labelled members
     * @param welchP             two-sided p-value of Welch's t-test of the two means (NaN with fewer than two per side
     *                           or no variance)
     * @param gapLow             log10 frequency below the widest gap between consecutive firing latents (NaN with fewer than
     *                           two firing latents)
     * @param gapHigh            log10 frequency above that gap
     * @param clusterBackground  cluster latents whose top examples' majority label is the background label (−1 when the
     *                           majority labels were not given)
     * @param restBackground     likewise for the other firing latents
     */
    public record Summary(double threshold, int latents, int dead, int cluster, int rest, int clusterLabelled, int restLabelled,
                          double clusterEntropy, double restEntropy, double welchP, double gapLow, double gapHigh,
                          int clusterBackground, int restBackground) {

        /** The cluster's share of all latents. */
        public double clusterFraction() {
            return latents == 0 ? Double.NaN : (double) cluster / latents;
        }

        /** The width of the widest gap in decades. */
        public double gapDecades() {
            return gapHigh - gapLow;
        }
    }

    /** Per latent of the view: whether it is in the cluster (fires, frequency below {@code threshold}). */
    public static boolean[] members(DensityView v, double threshold) {
        requireThreshold(threshold);
        boolean[] in = new boolean[v.latents().length];
        for (int i = 0; i < in.length; i++) {
            double f = v.frequency()[i];
            in[i] = f > 0 && f < threshold;
        }
        return in;
    }

    /**
     * The cluster of a density view and its entropy against the rest.
     *
     * @throws IllegalArgumentException when the threshold is not in (0, 1] or a frequency is negative or not finite
     */
    public static Summary of(DensityView v, double threshold) {
        return of(v, threshold, null, -1);
    }

    /**
     * As {@link #of(DensityView, double)}, also counting on each side the latents whose majority label is {@code background}.
     *
     * @param majorityLabel per latent of the view, the majority label of its top examples (−1 for none), or null
     * @param background    the background label (−1 when the labels have none: the counts are then 0)
     * @throws IllegalArgumentException also when {@code majorityLabel} has not one entry per latent
     */
    public static Summary of(DensityView v, double threshold, int[] majorityLabel, int background) {
        if (majorityLabel != null && majorityLabel.length != v.latents().length) {
            throw new IllegalArgumentException("the density view has " + v.latents().length + " latents but " + majorityLabel.length
                    + " majority labels; expected one per latent");
        }
        boolean[] in = members(v, threshold);
        double[] f = v.frequency();
        double[] h = v.entropy();
        int dead = 0;
        int cluster = 0;
        int rest = 0;
        int bgIn = 0;
        int bgOut = 0;
        double[] hIn = new double[f.length];
        double[] hOut = new double[f.length];
        int nIn = 0;
        int nOut = 0;
        double[] logF = new double[f.length];
        int firing = 0;
        for (int i = 0; i < f.length; i++) {
            if (!(f[i] >= 0) || !Double.isFinite(f[i])) {
                throw new IllegalArgumentException("latent " + v.latents()[i] + " has frequency " + f[i]
                        + "; expected a finite share of tokens >= 0");
            }
            if (f[i] == 0) {
                dead++;
                continue;
            }
            logF[firing++] = Math.log10(f[i]);
            boolean bg = majorityLabel != null && background >= 0 && majorityLabel[i] == background;
            if (in[i]) {
                cluster++;
                bgIn += bg ? 1 : 0;
                if (Double.isFinite(h[i])) {
                    hIn[nIn++] = h[i];
                }
            } else {
                rest++;
                bgOut += bg ? 1 : 0;
                if (Double.isFinite(h[i])) {
                    hOut[nOut++] = h[i];
                }
            }
        }
        hIn = Arrays.copyOf(hIn, nIn);
        hOut = Arrays.copyOf(hOut, nOut);
        double[] gap = widestGap(Arrays.copyOf(logF, firing));
        return new Summary(threshold, f.length, dead, cluster, rest, nIn, nOut, mean(hIn), mean(hOut), welch(hIn, hOut), gap[0],
                gap[1], majorityLabel == null ? -1 : bgIn, majorityLabel == null ? -1 : bgOut);
    }

    /** The widest gap between consecutive sorted values as {low, high}; NaNs with fewer than two values. */
    static double[] widestGap(double[] values) {
        if (values.length < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int best = 0;
        for (int i = 1; i < s.length - 1; i++) {
            if (s[i + 1] - s[i] > s[best + 1] - s[best]) {
                best = i;
            }
        }
        return new double[] {s[best], s[best + 1]};
    }

    private static double welch(double[] a, double[] b) {
        if (a.length < 2 || b.length < 2 || variance(a) + variance(b) == 0) {
            return Double.NaN;
        }
        return TTest.test(a, b, false).pvalue();
    }

    private static double mean(double[] a) {
        return a.length == 0 ? Double.NaN : Arrays.stream(a).average().orElseThrow();
    }

    private static double variance(double[] a) {
        double m = mean(a);
        return Arrays.stream(a).map(x -> (x - m) * (x - m)).sum();
    }

    private static void requireThreshold(double threshold) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("the low-density threshold is " + threshold + "; expected a share of tokens in (0, 1]");
        }
    }
}

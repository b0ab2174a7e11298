package saelab.intervene.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Cluster bootstrap confidence intervals with the image as the unit of resampling: B replicates each draw N images
 * with replacement from the N observed ones (all of an image's patches travel together) and recompute the
 * statistic; the interval is the percentile interval [q(α/2), q(1 − α/2)] of the replicates (Efron &amp;
 * Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13), with quantiles interpolated linearly between order
 * statistics (Hyndman &amp; Fan 1996 type 7, NumPy's default).
 *
 * <p><b>Why images, not patches.</b> Patches of one image share the object, the lighting and the edit, so their
 * outcomes are correlated; resampling patches as if independent understates the variance. Resampling the
 * independent clusters (images) whole is the cluster bootstrap (Davison &amp; Hinkley 1997, §2.4 and §3.8; Field &amp;
 * Welsh 2007, "Bootstrapping clustered data", JRSS B 69(3):369–390), consistent for ratio statistics such as
 * Σnum/Σden when the number of images grows.
 *
 * <p><b>Why the percentile interval, not BCa.</b> BCa (Efron &amp; Tibshirani 1993, ch. 14) corrects bias and skew
 * to second order, but its acceleration comes from a leave-one-image-out jackknife that is undefined whenever
 * leaving an image out removes a rare class's only denominator, and with the hundreds of images of a protocol
 * split the two intervals differ little. The percentile interval respects the statistic's range (a rate stays in
 * [0, 1]) and is invariant to monotone transformations; its coverage on clustered rates is checked by simulation in
 * the tests.
 *
 * <p><b>Paired conditions.</b> {@link #microDifference} and {@link #macroDifference} draw the images once per
 * replicate and evaluate both conditions (a real edit and its control, on the same images) on that draw, so the
 * pairing is kept and the interval of the difference is narrower than either rate's when the two are correlated.
 *
 * <p>Replicates whose statistic is undefined (NaN: e.g. no image of a class was drawn) are counted in {@link
 * Interval#undefined()} and left out of the percentiles. Deterministic for a seed ({@link SplittableRandom}).
 * Cost: B·N draws and B evaluations of the statistic (O(N·C) each for the rates); memory 8·B + 4·N bytes.
 */
public final class ClusterBootstrap {

    /** The default number of replicates. */
    public static final int DEFAULT_RESAMPLES = 1000;
    /** The most replicates accepted (the replicates are kept in memory). */
    public static final int MAX_RESAMPLES = 1 << 24;

    /**
     * A statistic of a resample, given as multiplicities: {@code weight[i]} is how many times image i was drawn
     * (the weights sum to N).
     */
    @FunctionalInterface
    public interface Statistic {
        /** The statistic with image i counted {@code weight[i]} times; NaN when undefined on this resample. */
        double of(int[] weight);
    }

    /**
     * Settings.
     *
     * @param resamples B, replicates
     * @param level     the nominal coverage, in (0, 1)
     * @param seed      seed of the resampling
     */
    public record Options(int resamples, double level, long seed) {
        public Options {
            if (resamples < 1 || resamples > MAX_RESAMPLES) {
                throw new IllegalArgumentException("the bootstrap needs between 1 and " + MAX_RESAMPLES + " resamples, got " + resamples);
            }
            if (!(level > 0 && level < 1)) {
                throw new IllegalArgumentException("the confidence level must lie strictly between 0 and 1, got " + level);
            }
        }

        /** B = 1000 replicates, 95% intervals, with {@code seed}. */
        public static Options defaults(long seed) {
            return new Options(DEFAULT_RESAMPLES, 0.95, seed);
        }
    }

    private final Options options;

    public ClusterBootstrap(Options options) {
        this.options = options;
    }

    /** The interval of the micro rate Σnum / Σden. */
    public Interval microRate(ImageCounts counts) {
        return interval(counts.images(), w -> counts.microRate(w), counts.microRate());
    }

    /** The interval of the macro rate (mean over groups of the per-group rates). */
    public Interval macroRate(ImageCounts counts) {
        return interval(counts.images(), w -> counts.macroRate(w), counts.macroRate());
    }

    /**
     * The interval of micro(a) − micro(b), two conditions measured on the same images (image i of {@code a} is
     * image i of {@code b}); each replicate draws the images once for both.
     *
     * @throws IllegalArgumentException when the two do not have the same images and groups
     */
    public Interval microDifference(ImageCounts a, ImageCounts b) {
        requirePaired(a, b);
        return interval(a.images(), w -> a.microRate(w) - b.microRate(w), a.microRate() - b.microRate());
    }

    /** The interval of macro(a) − macro(b) on the same images, paired as {@link #microDifference}. */
    public Interval macroDifference(ImageCounts a, ImageCounts b) {
        requirePaired(a, b);
        return interval(a.images(), w -> a.macroRate(w) - b.macroRate(w), a.macroRate() - b.macroRate());
    }

    private static void requirePaired(ImageCounts a, ImageCounts b) {
        if (a.images() != b.images() || a.groups() != b.groups()) {
            throw new IllegalArgumentException("a paired difference needs both conditions on the same images and groups, got "
                    + a.images() + " images × " + a.groups() + " groups against " + b.images() + " × " + b.groups());
        }
    }

    /**
     * The percentile interval of any statistic of N images.
     *
     * @param images    N, the images (clusters)
     * @param statistic the statistic of a resample
     * @param estimate  the statistic on the observed data (every weight 1)
     */
    public Interval interval(int images, Statistic statistic, double estimate) {
        if (images <= 0) {
            throw new IllegalArgumentException("the bootstrap needs at least one image, got " + images);
        }
        int b = options.resamples();
        double[] reps = new double[b];
        int[] weight = new int[images];
        SplittableRandom rng = new SplittableRandom(options.seed());
        int defined = 0;
        for (int r = 0; r < b; r++) {
            Arrays.fill(weight, 0);
            for (int k = 0; k < images; k++) {
                weight[rng.nextInt(images)]++;
            }
            double v = statistic.of(weight);
            if (!Double.isNaN(v)) {
                reps[defined++] = v;
            }
        }
        double alpha = 1 - options.level();
        if (defined == 0) {
            return new Interval(estimate, Double.NaN, Double.NaN, options.level(), b, b);
        }
        Arrays.sort(reps, 0, defined);
        return new Interval(estimate, quantile(reps, defined, alpha / 2), quantile(reps, defined, 1 - alpha / 2), options.level(), b,
                b - defined);
    }

    /** Quantile q of the first n sorted values, linear between order statistics (Hyndman &amp; Fan type 7). */
    static double quantile(double[] sorted, int n, double q) {
        double h = (n - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, n - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

package saelab.intervene.stats;

import java.util.Arrays;

/**
 * Per-image counts of a rate, the unit of resampling of {@link ClusterBootstrap}: for image i and group c
 * (a class; one group for a single rate) a numerator {@code num[i, c]} and a denominator {@code den[i, c]}, e.g.
 * the flipped patches of class c in image i and the patches of class c in image i. A group absent from an image
 * has denominator 0 there. Values are doubles so that non-count quantities fit too (a per-image Δp is numerator
 * Δp, denominator 1, and its micro rate is the mean). Row-major {@code [images, groups]}; memory 16·N·C bytes.
 *
 * <ul>
 *   <li>micro rate = Σᵢ Σ_c num / Σᵢ Σ_c den (every patch weighs the same);</li>
 *   <li>macro rate = mean over the groups with Σᵢ den &gt; 0 of Σᵢ num / Σᵢ den (every class weighs the same;
 *       a class with no denominator is left out of the mean, as mmsegmentation's {@code nanmean} of mIoU).</li>
 * </ul>
 *
 * @param images number of images N
 * @param groups number of groups C
 * @param num    numerators [N·C]
 * @param den    denominators [N·C], non-negative
 */
public record ImageCounts(int images, int groups, double[] num, double[] den) {

    public ImageCounts {
        if (images <= 0 || groups <= 0) {
            throw new IllegalArgumentException("image counts need at least one image and one group, got " + images + " images and "
                    + groups + " groups");
        }
        long size = (long) images * groups;
        if (num == null || den == null || num.length != size || den.length != size) {
            throw new IllegalArgumentException("image counts of " + images + " images and " + groups + " groups need " + size
                    + " numerators and denominators, got " + (num == null ? "none" : num.length) + " and "
                    + (den == null ? "none" : den.length));
        }
        for (int k = 0; k < den.length; k++) {
            if (!Double.isFinite(num[k]) || !Double.isFinite(den[k]) || den[k] < 0) {
                throw new IllegalArgumentException("image " + k / groups + ", group " + k % groups + " has numerator " + num[k]
                        + " and denominator " + den[k] + "; expected finite values and a denominator of at least 0");
            }
        }
    }

    /** One rate per image (one group): {@code num[i] / den[i]} pooled over images. */
    public static ImageCounts of(double[] num, double[] den) {
        return new ImageCounts(num == null ? 0 : num.length, 1, num, den);
    }

    /** One rate per image from integer counts. */
    public static ImageCounts of(long[] num, long[] den) {
        return of(toDouble(num), toDouble(den));
    }

    /** The mean of one value per image (denominator 1 everywhere), e.g. Δp(target). */
    public static ImageCounts ofValues(double[] values) {
        double[] ones = new double[values.length];
        Arrays.fill(ones, 1.0);
        return of(values, ones);
    }

    private static double[] toDouble(long[] a) {
        if (a == null) {
            return null;
        }
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    /** The micro rate on the observed images (NaN when every denominator is 0). */
    public double microRate() {
        return microRate(null);
    }

    /** The macro rate on the observed images (NaN when no group has a denominator). */
    public double macroRate() {
        return macroRate(null);
    }

    /** The rate of group {@code c} alone (NaN when it has no denominator). */
    public double groupRate(int c) {
        double n = 0;
        double d = 0;
        for (int i = 0; i < images; i++) {
            n += num[i * groups + c];
            d += den[i * groups + c];
        }
        return d > 0 ? n / d : Double.NaN;
    }

    /**
     * The micro rate with image i counted {@code weight[i]} times (a bootstrap resample as multiplicities; null: once each).
     */
    double microRate(int[] weight) {
        double n = 0;
        double d = 0;
        for (int i = 0; i < images; i++) {
            int w = weight == null ? 1 : weight[i];
            if (w == 0) {
                continue;
            }
            for (int c = 0, k = i * groups; c < groups; c++, k++) {
                n += w * num[k];
                d += w * den[k];
            }
        }
        return d > 0 ? n / d : Double.NaN;
    }

    /** The macro rate with image i counted {@code weight[i]} times (null: once each). */
    double macroRate(int[] weight) {
        double[] n = new double[groups];
        double[] d = new double[groups];
        for (int i = 0; i < images; i++) {
            int w = weight == null ? 1 : weight[i];
            if (w == 0) {
                continue;
            }
            for (int c = 0, k = i * groups; c < groups; c++, k++) {
                n[c] += w * num[k];
                d[c] += w * den[k];
            }
        }
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < groups; c++) {
            if (d[c] > 0) {
                sum += n[c] / d[c];
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }
}

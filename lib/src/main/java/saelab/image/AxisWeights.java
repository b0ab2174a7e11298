package saelab.image;

/**
 * The precomputed resampling weights of one axis, {@code in} samples to {@code out} samples, as
 * Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} define them
 * ({@code src/libImaging/Resample.c}): scale = in/out, the filter widened by max(scale, 1) (the
 * anti-aliasing of downscales), output sample i centred at (i + 0.5) * scale, taps
 * [trunc(centre - support + 0.5), trunc(centre + support + 0.5)) clipped to the image (no edge
 * replication), weights normalised to sum 1 in double, then rounded half away from zero to 22-bit
 * fixed point for 8-bit images. Immutable and thread-safe; one table serves every row or column.
 */
public final class AxisWeights {

    /** Fixed-point precision of 8-bit resampling: 32 - 8 - 2 bits, as in Pillow. */
    static final int PRECISION_BITS = 22;

    private final int inSize;
    private final int outSize;
    private final int ksize;
    private final int[] start;
    private final int[] count;
    private final double[] weights;
    private final int[] fixed;

    private AxisWeights(int inSize, int outSize, int ksize, int[] start, int[] count, double[] weights, int[] fixed) {
        this.inSize = inSize;
        this.outSize = outSize;
        this.ksize = ksize;
        this.start = start;
        this.count = count;
        this.weights = weights;
        this.fixed = fixed;
    }

    /**
     * The weights that resample {@code inSize} samples to {@code outSize} with {@code filter}.
     *
     * @throws IllegalArgumentException when a size is below 1
     */
    public static AxisWeights of(int inSize, int outSize, ResampleFilter filter) {
        if (inSize < 1 || outSize < 1) {
            throw new IllegalArgumentException("cannot resample " + inSize + " samples to " + outSize + "; both must be at least 1");
        }
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = filter.support() * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[outSize];
        int[] count = new int[outSize];
        double[] weights = new double[outSize * ksize];
        int[] fixed = new int[outSize * ksize];
        double ss = 1.0 / filterscale;
        double one = 1 << PRECISION_BITS;
        for (int i = 0; i < outSize; i++) {
            double center = (i + 0.5) * scale;
            // (int) truncates toward zero, like the C cast the reference uses.
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            int base = i * ksize;
            double sum = 0.0;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                weights[base + x] = w;
                sum += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (sum != 0.0) {
                    weights[base + x] /= sum;
                }
                double w = weights[base + x];
                fixed[base + x] = w < 0 ? (int) (-0.5 + w * one) : (int) (0.5 + w * one);
            }
            start[i] = xmin;
            count[i] = xmax;
        }
        return new AxisWeights(inSize, outSize, ksize, start, count, weights, fixed);
    }

    /** Input length. */
    public int inSize() {
        return inSize;
    }

    /** Output length. */
    public int outSize() {
        return outSize;
    }

    /** Stride of the weight rows (at least the largest tap count). */
    int ksize() {
        return ksize;
    }

    /** First input index read by output sample {@code i}. */
    public int start(int i) {
        return start[i];
    }

    /** Number of input samples read by output sample {@code i}. */
    public int count(int i) {
        return count[i];
    }

    /** Normalised double weight of tap {@code t} of output sample {@code i} (input index {@code start(i) + t}). */
    public double weight(int i, int t) {
        return weights[i * ksize + t];
    }

    /** The same weight in 22-bit fixed point, as 8-bit resampling uses it. */
    public int fixedWeight(int i, int t) {
        return fixed[i * ksize + t];
    }

    int[] startArray() {
        return start;
    }

    int[] countArray() {
        return count;
    }

    int[] fixedArray() {
        return fixed;
    }
}

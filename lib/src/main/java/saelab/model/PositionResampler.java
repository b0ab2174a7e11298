package saelab.model;

/**
 * Bicubic resampling of a position-embedding grid {@code [inH, inW, D]} (row-major, rows are the
 * vertical axis) to {@code [outH, outW, D]}, in the three variants of {@link PosInterpolation}.
 *
 * <p>Written by hand because DJL exposes only libtorch's plain {@code interpolate(size, bicubic)}
 * (no {@code antialias}, no {@code scale_factor}), and the grid is tiny (37 x 37 x D at most
 * for DINOv2), so a direct separable implementation costs nothing and keeps the three variants in
 * one place. The per-axis weights follow PyTorch's CPU kernels (ATen {@code UpSample.h}:
 * {@code area_pixel_compute_source_index}, {@code get_cubic_upsample_coefficients} with
 * A = -0.75 and clamped taps; {@code _upsample_bicubic2d_aa}, which is Pillow's
 * {@code ImagingResample} bicubic with a = -0.5), computed in float32 like PyTorch; the sums are
 * accumulated in double. Both PyTorch variants are separable, so the grid is resampled along the
 * width, then along the height.
 */
public final class PositionResampler {

    private PositionResampler() {}

    /**
     * Resamples {@code grid} ({@code inH * inW * dim} values, HWC) to {@code outH x outW}.
     *
     * @return {@code outH * outW * dim} values, HWC
     */
    public static float[] resample(float[] grid, int inH, int inW, int dim, int outH, int outW, PosInterpolation mode) {
        if (grid.length != (long) inH * inW * dim) {
            throw new IllegalArgumentException("grid has " + grid.length + " values, expected " + inH + " x " + inW + " x " + dim);
        }
        if (outH <= 0 || outW <= 0) {
            throw new IllegalArgumentException("target grid " + outH + " x " + outW + " is empty");
        }
        double[][] wx = weights(inW, outW, mode);
        double[][] wy = weights(inH, outH, mode);
        // along the width: [inH, outW, D]
        double[] tmp = new double[inH * outW * dim];
        for (int y = 0; y < inH; y++) {
            for (int ox = 0; ox < outW; ox++) {
                int dst = (y * outW + ox) * dim;
                for (int x = 0; x < inW; x++) {
                    double w = wx[ox][x];
                    if (w == 0) {
                        continue;
                    }
                    int src = (y * inW + x) * dim;
                    for (int d = 0; d < dim; d++) {
                        tmp[dst + d] += w * grid[src + d];
                    }
                }
            }
        }
        // along the height: [outH, outW, D]
        double[] acc = new double[outH * outW * dim];
        for (int oy = 0; oy < outH; oy++) {
            for (int y = 0; y < inH; y++) {
                double w = wy[oy][y];
                if (w == 0) {
                    continue;
                }
                int src = y * outW * dim;
                int dst = oy * outW * dim;
                for (int i = 0; i < outW * dim; i++) {
                    acc[dst + i] += w * tmp[src + i];
                }
            }
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) acc[i];
        }
        return out;
    }

    /**
     * The dense {@code [out][in]} weight matrix of one axis: output sample {@code o} is
     * {@code sum_i w[o][i] * input[i]}. Taps that fall on the same clamped edge sample add up.
     */
    static double[][] weights(int in, int out, PosInterpolation mode) {
        double[][] w = new double[out][in];
        switch (mode) {
            case SIZE -> cubicClamped(w, in, out, (float) in / out);
            // 1 / scale_factor in double, then cast, as PyTorch's compute_scales_value does
            case OFFSET -> cubicClamped(w, in, out, (float) (1.0 / ((out + 0.1) / in)));
            case ANTIALIAS -> antialiased(w, in, out);
        }
        return w;
    }

    /** PyTorch {@code upsample_bicubic2d}, align_corners=False: Keys A = -0.75, 4 taps clamped to the edges. */
    private static void cubicClamped(double[][] w, int in, int out, float scale) {
        final float a = -0.75f;
        for (int o = 0; o < out; o++) {
            float real = scale * (o + 0.5f) - 0.5f;
            int base = (int) Math.floor(real);
            float t = real - base;
            float[] c = {
                cubic2(t + 1f, a), cubic1(t, a), cubic1(1f - t, a), cubic2(2f - t, a)
            };
            for (int j = 0; j < 4; j++) {
                int idx = Math.min(Math.max(base - 1 + j, 0), in - 1);
                w[o][idx] += c[j];
            }
        }
    }

    /** Keys cubic for |x| <= 1. */
    private static float cubic1(float x, float a) {
        return ((a + 2f) * x - (a + 3f)) * x * x + 1f;
    }

    /** Keys cubic for 1 < |x| < 2. */
    private static float cubic2(float x, float a) {
        return ((a * x - 5f * a) * x + 8f * a) * x - 4f * a;
    }

    /** Pillow / PyTorch antialiased bicubic: a = -0.5, support 2 widened by the scale when downsampling. */
    private static void antialiased(double[][] w, int in, int out) {
        float scale = (float) in / out;
        float support = scale >= 1f ? 2f * scale : 2f;
        float invscale = scale >= 1f ? 1f / scale : 1f;
        for (int o = 0; o < out; o++) {
            float center = scale * (o + 0.5f);
            int xmin = Math.max((int) (center - support + 0.5f), 0);
            int xmax = Math.min((int) (center + support + 0.5f), in);
            float[] k = new float[Math.max(xmax - xmin, 0)];
            float total = 0f;
            for (int j = 0; j < k.length; j++) {
                k[j] = pilCubic((j + xmin - center + 0.5f) * invscale);
                total += k[j];
            }
            for (int j = 0; j < k.length; j++) {
                w[o][xmin + j] = total != 0f ? k[j] / total : k[j];
            }
        }
    }

    /** Pillow's bicubic filter, a = -0.5. */
    private static float pilCubic(float x) {
        final float a = -0.5f;
        x = Math.abs(x);
        if (x < 1f) {
            return ((a + 2f) * x - (a + 3f)) * x * x + 1f;
        }
        if (x < 2f) {
            return (((x - 5f) * x + 8f) * x - 4f) * a;
        }
        return 0f;
    }
}

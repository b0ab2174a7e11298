package saelab.image;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Pillow's convolution resize ({@code Image.resize} with {@code reducing_gap=None}; algorithm of
 * {@code src/libImaging/Resample.c}), reproduced bit for bit for 8-bit RGB images and for
 * single-channel float32 ("F") images.
 *
 * <p>Separable, horizontal pass first. The horizontal pass runs only over the input rows the
 * vertical pass reads, and an axis whose size does not change is not resampled at all. In 8-bit
 * mode every output sample is {@code clamp((2^21 + sum(pixel * w_fixed)) >> 22, 0, 255)} with 32-bit
 * integer arithmetic and the weights of {@link AxisWeights}; the intermediate image between the two
 * passes is 8-bit too. In float mode the weights stay double, the sums are double, and the
 * intermediate and the output are float32.
 *
 * <p>Written by hand because no Java library reproduces Pillow's fixed-point arithmetic, and the
 * reference pipelines (Hugging Face's image processors, torchvision and open_clip on PIL images)
 * resize with Pillow: AWT and DJL/libtorch bicubic differ from it by many levels on downscales
 * (no anti-aliasing, a = -0.75, edge clamping). Thread-safe (no state); large images can be split
 * by rows over the common fork-join pool.
 */
public final class PillowResize {

    private static final int HALF = 1 << (AxisWeights.PRECISION_BITS - 1);
    /** Multiply-adds below which a pass runs on the calling thread even when parallel is asked for. */
    private static final long PARALLEL_MIN_WORK = 1L << 18;

    private PillowResize() {}

    /** Resizes {@code src} to {@code outWidth x outHeight} on the calling thread. */
    public static RgbImage resize(RgbImage src, int outWidth, int outHeight, ResampleFilter filter) {
        return resize(src, outWidth, outHeight, filter, Parallelism.SEQUENTIAL);
    }

    /**
     * Resizes {@code src} to {@code outWidth x outHeight}; with {@link Parallelism#PARALLEL}, large passes
     * are split by rows over the common fork-join pool (the result is identical either way).
     */
    public static RgbImage resize(RgbImage src, int outWidth, int outHeight, ResampleFilter filter, Parallelism parallel) {
        if (outWidth < 1 || outHeight < 1) {
            throw new IllegalArgumentException("cannot resize to " + outWidth + "x" + outHeight);
        }
        AxisWeights horizontal = outWidth == src.width() ? null : AxisWeights.of(src.width(), outWidth, filter);
        AxisWeights vertical = outHeight == src.height() ? null : AxisWeights.of(src.height(), outHeight, filter);
        return resize(src, horizontal, vertical, parallel);
    }

    /**
     * Resizes with precomputed weights; {@code null} for an axis that keeps its size.
     *
     * @throws IllegalArgumentException when the weights were made for other input sizes
     */
    public static RgbImage resize(RgbImage src, AxisWeights horizontal, AxisWeights vertical, Parallelism parallel) {
        int w = src.width();
        int h = src.height();
        if (horizontal != null && horizontal.inSize() != w) {
            throw new IllegalArgumentException("horizontal weights are for width " + horizontal.inSize() + ", the image is " + w + " wide");
        }
        if (vertical != null && vertical.inSize() != h) {
            throw new IllegalArgumentException("vertical weights are for height " + vertical.inSize() + ", the image is " + h + " high");
        }
        if (horizontal == null && vertical == null) {
            return new RgbImage(w, h, src.pixels().clone());
        }
        int outW = horizontal == null ? w : horizontal.outSize();
        int firstRow = 0;
        int rows = h;
        if (vertical != null) {
            firstRow = vertical.start(0);
            int last = vertical.outSize() - 1;
            rows = vertical.start(last) + vertical.count(last) - firstRow;
        }
        if (vertical == null) {
            byte[] out = new byte[h * outW * 3];
            horizontalPass(src.pixels(), w, 0, h, horizontal, out, null, parallel);
            return new RgbImage(outW, h, out);
        }
        // The intermediate holds 8-bit values (clamped exactly as Pillow's uint8 image) in int rows:
        // HotSpot vectorises "acc[i] += row[i] * k" over int arrays indexed alike, not byte-to-int
        // loops nor loops whose two arrays are indexed with different offsets (possible aliasing).
        int[][] mid = new int[rows][outW * 3];
        if (horizontal != null) {
            horizontalPass(src.pixels(), w, firstRow, rows, horizontal, null, mid, parallel);
        } else {
            byte[] px = src.pixels();
            for (int r = 0; r < rows; r++) {
                int from = (firstRow + r) * w * 3;
                int[] row = mid[r];
                for (int i = 0; i < row.length; i++) {
                    row[i] = px[from + i] & 0xFF;
                }
            }
        }
        byte[] out = new byte[vertical.outSize() * outW * 3];
        verticalPass(mid, outW, firstRow, vertical, out, parallel);
        return new RgbImage(outW, vertical.outSize(), out);
    }

    /** Rows per block of the horizontal pass: a block is transposed so the taps run over contiguous memory. */
    private static final int BLOCK_ROWS = 64;

    /**
     * Rows [firstRow, firstRow + rows) of {@code src} (width {@code w}) resampled along x, written
     * row-major ({@code [rows][outW][3]}) into {@code dstBytes} or, one int array per row, into
     * {@code dstInts} (whichever is not null).
     *
     * <p>Blocks of rows are transposed to one int array per input column first, so that for each
     * output column and tap the multiply-adds run over a whole column of the block (all its rows
     * and channels at once), which the JIT vectorises. The sums are Pillow's, term by term.
     */
    private static void horizontalPass(byte[] src, int w, int firstRow, int rows, AxisWeights weights, byte[] dstBytes, int[][] dstInts,
                                       Parallelism parallel) {
        int outW = weights.outSize();
        int ksize = weights.ksize();
        int[] start = weights.startArray();
        int[] count = weights.countArray();
        int[] k = weights.fixedArray();
        int stride = w * 3;
        forRows(rows, BLOCK_ROWS, (long) rows * outW * ksize * 3, parallel, (r0, r1) -> {
            int maxLanes = Math.min(BLOCK_ROWS, r1 - r0) * 3;
            int[][] cols = new int[w][maxLanes];
            int[][] outCols = new int[outW][maxLanes];
            int[] acc = new int[maxLanes];
            for (int b0 = r0; b0 < r1; b0 += BLOCK_ROWS) {
                int nr = Math.min(BLOCK_ROWS, r1 - b0);
                int lanes = nr * 3;
                // Transpose the block: cols[x] = (R, G, B) of column x for each row of the block.
                for (int x = 0; x < w; x++) {
                    int[] col = cols[x];
                    int p = (firstRow + b0) * stride + x * 3;
                    for (int q = 0; q < lanes; q += 3, p += stride) {
                        col[q] = src[p] & 0xFF;
                        col[q + 1] = src[p + 1] & 0xFF;
                        col[q + 2] = src[p + 2] & 0xFF;
                    }
                }
                for (int xx = 0; xx < outW; xx++) {
                    Arrays.fill(acc, HALF);
                    int kb = xx * ksize;
                    int n = count[xx];
                    for (int t = 0; t < n; t++) {
                        int kt = k[kb + t];
                        int[] col = cols[start[xx] + t];
                        for (int i = 0; i < lanes; i++) {
                            acc[i] += col[i] * kt;
                        }
                    }
                    int[] out = outCols[xx];
                    for (int i = 0; i < lanes; i++) {
                        out[i] = clamp8(acc[i]);
                    }
                }
                // Transpose back into rows (column by column: the reads run along each column, and
                // the writes go to one place per row of the block, which stays in cache).
                for (int xx = 0; xx < outW; xx++) {
                    int[] out = outCols[xx];
                    int o = xx * 3;
                    if (dstInts != null) {
                        for (int r = 0, a = 0; r < nr; r++, a += 3) {
                            int[] row = dstInts[b0 + r];
                            row[o] = out[a];
                            row[o + 1] = out[a + 1];
                            row[o + 2] = out[a + 2];
                        }
                    } else {
                        int rowLen = outW * 3;
                        for (int r = 0, a = 0, d = b0 * rowLen + o; r < nr; r++, a += 3, d += rowLen) {
                            dstBytes[d] = (byte) out[a];
                            dstBytes[d + 1] = (byte) out[a + 1];
                            dstBytes[d + 2] = (byte) out[a + 2];
                        }
                    }
                }
            }
        });
    }

    /** Resamples {@code src} (rows of 8-bit values in ints, starting at input row {@code firstRow}, {@code width} wide) along y into {@code dst}. */
    private static void verticalPass(int[][] src, int width, int firstRow, AxisWeights weights, byte[] dst, Parallelism parallel) {
        int outH = weights.outSize();
        int ksize = weights.ksize();
        int[] start = weights.startArray();
        int[] count = weights.countArray();
        int[] k = weights.fixedArray();
        int rowLen = width * 3;
        forRows(outH, 8, (long) outH * rowLen * ksize, parallel, (r0, r1) -> {
            int[] acc = new int[rowLen];
            for (int yy = r0; yy < r1; yy++) {
                Arrays.fill(acc, HALF);
                int kb = yy * ksize;
                int n = count[yy];
                for (int t = 0; t < n; t++) {
                    int kt = k[kb + t];
                    int[] row = src[start[yy] - firstRow + t];
                    for (int i = 0; i < rowLen; i++) {
                        acc[i] += row[i] * kt;
                    }
                }
                // Clamp, then narrow, in two loops: each vectorises alone, the fused loop does not.
                for (int i = 0; i < rowLen; i++) {
                    acc[i] = clamp8(acc[i]);
                }
                int o = yy * rowLen;
                for (int i = 0; i < rowLen; i++) {
                    dst[o + i] = (byte) acc[i];
                }
            }
        });
    }

    /**
     * Resizes a single-channel float32 image ({@code [height][width]}, row-major) as Pillow does for
     * mode "F": double weights and sums, float32 intermediate and output.
     *
     * @return {@code [outHeight][outWidth]} row-major
     */
    public static float[] resizeFloat(float[] src, int width, int height, int outWidth, int outHeight, ResampleFilter filter) {
        if (width < 1 || height < 1 || (long) width * height != src.length) {
            throw new IllegalArgumentException("a " + width + "x" + height + " float image needs " + ((long) width * height)
                    + " values, got " + src.length);
        }
        if (outWidth < 1 || outHeight < 1) {
            throw new IllegalArgumentException("cannot resize to " + outWidth + "x" + outHeight);
        }
        float[] mid = src;
        int firstRow = 0;
        int rows = height;
        AxisWeights vertical = outHeight == height ? null : AxisWeights.of(height, outHeight, filter);
        if (outWidth != width) {
            AxisWeights horizontal = AxisWeights.of(width, outWidth, filter);
            if (vertical != null) {
                firstRow = vertical.start(0);
                rows = vertical.start(outHeight - 1) + vertical.count(outHeight - 1) - firstRow;
            }
            mid = new float[rows * outWidth];
            for (int r = 0; r < rows; r++) {
                int srcRow = (firstRow + r) * width;
                for (int xx = 0; xx < outWidth; xx++) {
                    double ss = 0.0;
                    for (int t = 0; t < horizontal.count(xx); t++) {
                        ss += src[srcRow + horizontal.start(xx) + t] * horizontal.weight(xx, t);
                    }
                    mid[r * outWidth + xx] = (float) ss;
                }
            }
        } else if (vertical == null) {
            return src.clone();
        }
        if (vertical == null) {
            return mid;
        }
        float[] out = new float[outHeight * outWidth];
        for (int yy = 0; yy < outHeight; yy++) {
            for (int xx = 0; xx < outWidth; xx++) {
                double ss = 0.0;
                for (int t = 0; t < vertical.count(yy); t++) {
                    ss += mid[(vertical.start(yy) - firstRow + t) * outWidth + xx] * vertical.weight(yy, t);
                }
                out[yy * outWidth + xx] = (float) ss;
            }
        }
        return out;
    }

    /** {@code (sum >> 22)} clamped to 0..255 (an arithmetic shift, as Pillow's clip8). */
    private static int clamp8(int sum) {
        return Math.max(0, Math.min(255, sum >> AxisWeights.PRECISION_BITS));
    }

    private interface RowRange {
        void run(int from, int to);
    }

    /**
     * Runs {@code body} over [0, rows): on the calling thread, or, when {@link Parallelism#PARALLEL} and worth it, in
     * about two tasks per worker of the common pool, each a multiple of {@code granule} rows (so a
     * task allocates its scratch buffers once).
     */
    private static void forRows(int rows, int granule, long work, Parallelism parallel, RowRange body) {
        int workers = ForkJoinPool.getCommonPoolParallelism() + 1;
        if (parallel == Parallelism.SEQUENTIAL || work < PARALLEL_MIN_WORK || rows <= granule || workers < 2) {
            body.run(0, rows);
            return;
        }
        int granules = (rows + granule - 1) / granule;
        int tasks = Math.min(granules, 2 * workers);
        int perTask = (granules + tasks - 1) / tasks * granule;
        int n = (rows + perTask - 1) / perTask;
        IntStream.range(0, n).parallel().forEach(t -> body.run(t * perTask, Math.min(rows, (t + 1) * perTask)));
    }
}

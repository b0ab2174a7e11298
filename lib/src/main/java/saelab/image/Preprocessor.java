package saelab.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Turns images into model input as a model's reference preprocessing does: Pillow resize
 * ({@link PillowResize}), centre crop ({@link CenterCrop}), rescale and per-channel normalisation
 * with the reference's float32 arithmetic ({@link PixelArithmetic}), giving float32
 * {@code [3, H, W]} per image and {@code [B, 3, H, W]} per batch.
 *
 * <p>Thread-safe and meant to be shared: the capture pipeline calls it from a thread pool. Per image
 * it allocates the resized uint8 image, the resampler's scratch (Pillow's intermediate image and a
 * transposed block of at most 64 rows) and one row of floats; the crop,
 * rescale and normalisation are one pass through a 3 x 256 lookup table straight into the caller's
 * buffer. Resampling weights are cached per (input size, output size). By default one image is
 * processed on the calling thread; {@link #withResizeRows(Parallelism)} can split large resizes by rows
 * over the common fork-join pool (for single large images, e.g. the CLI).
 */
public final class Preprocessor {

    private static final int WEIGHT_CACHE_LIMIT = 4096;

    private final PreprocessConfig config;
    private final Parallelism resizeRows;
    /** {@code lut[c * 256 + v]}: the output value of sample v in channel c. */
    private final float[] lut;
    private final Map<Long, AxisWeights> weights;

    /** A preprocessor for {@code config}. */
    public Preprocessor(PreprocessConfig config) {
        this(config, Parallelism.SEQUENTIAL, new ConcurrentHashMap<>());
    }

    private Preprocessor(PreprocessConfig config, Parallelism resizeRows, Map<Long, AxisWeights> weights) {
        this.config = config;
        this.resizeRows = resizeRows;
        this.weights = weights;
        this.lut = new float[3 * 256];
        double[] mean = config.mean();
        double[] std = config.std();
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                lut[c * 256 + v] = config.arithmetic().apply(v, config.rescale(), config.rescaleFactor(), config.normalize(), mean[c], std[c]);
            }
        }
    }

    /**
     * The preprocessor of a model folder, or of a preprocessing JSON file (see {@link PreprocessConfigs#read}).
     *
     * @throws IllegalArgumentException for a missing or invalid config, naming the file and the field
     */
    public static Preprocessor load(Path modelDirOrFile) throws IOException {
        return new Preprocessor(PreprocessConfigs.read(modelDirOrFile));
    }

    /**
     * The same preprocessor (sharing its weight cache), resizing the rows of one image on the calling thread
     * ({@link Parallelism#SEQUENTIAL}, the default) or, for large resizes, over the common fork-join pool.
     */
    public Preprocessor withResizeRows(Parallelism rows) {
        return new Preprocessor(config, rows, weights);
    }

    /** The settings. */
    public PreprocessConfig config() {
        return config;
    }

    /** The output size ({@code W x H} of {@code [3, H, W]}) for an input image of {@code width x height}. */
    public ResizeRule.Size outputSize(int width, int height) {
        return config.outputSize(width, height);
    }

    /** The resized uint8 image, before the crop (the image itself when the config does not resize). */
    public RgbImage resize(RgbImage image) {
        ResizeRule rule = config.resize();
        if (rule == null) {
            return image;
        }
        ResizeRule.Size size = rule.outputSize(image.width(), image.height());
        AxisWeights horizontal = size.width() == image.width() ? null : axis(image.width(), size.width());
        AxisWeights vertical = size.height() == image.height() ? null : axis(image.height(), size.height());
        if (horizontal == null && vertical == null) {
            return image;
        }
        return PillowResize.resize(image, horizontal, vertical, resizeRows);
    }

    /** Preprocesses one image: float32 {@code [3, H, W]}. */
    public float[] apply(RgbImage image) {
        RgbImage resized = resize(image);
        ResizeRule.Size out = config.outputSize(image.width(), image.height());
        float[] dst = new float[3 * out.height() * out.width()];
        write(resized, out, FloatBuffer.wrap(dst), 0);
        return dst;
    }

    /** Decodes and preprocesses one file: float32 {@code [3, H, W]}. */
    public float[] apply(Path file) throws IOException {
        return apply(ImageDecoder.decode(file));
    }

    /**
     * Preprocesses one image into {@code dst[offset ...]} ({@code 3 * H * W} values, {@code [3, H, W]}).
     *
     * @return the output size
     */
    public ResizeRule.Size applyInto(RgbImage image, float[] dst, int offset) {
        return applyInto(image, FloatBuffer.wrap(dst), offset);
    }

    /**
     * Preprocesses one image into {@code dst} at absolute index {@code offset} ({@code 3 * H * W}
     * values); for a direct buffer ({@code ByteBuffer.asFloatBuffer()}) that becomes an NDArray.
     *
     * @return the output size
     */
    public ResizeRule.Size applyInto(RgbImage image, FloatBuffer dst, int offset) {
        ResizeRule.Size out = config.outputSize(image.width(), image.height());
        long need = (long) offset + 3L * out.height() * out.width();
        if (offset < 0 || need > dst.limit()) {
            throw new IllegalArgumentException("the output buffer holds " + dst.limit() + " values; image needs [" + offset + ", " + need + ")");
        }
        write(resize(image), out, dst, offset);
        return out;
    }

    /** Decodes and preprocesses files into one batch, on the calling thread. */
    public PixelBatch batch(List<Path> files) throws IOException {
        return batch(files, Parallelism.SEQUENTIAL);
    }

    /**
     * Decodes and preprocesses files into one {@code [B, 3, H, W]} batch; with {@link Parallelism#PARALLEL},
     * one image per task on the common fork-join pool (the values do not depend on it).
     *
     * @throws IllegalArgumentException when the images would have different output sizes (a
     *                                  shortest-edge resize without a crop), naming the file
     */
    public PixelBatch batch(List<Path> files, Parallelism perImage) throws IOException {
        return build(files.size(), perImage, i -> {
            try {
                return ImageDecoder.decode(files.get(i));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, i -> files.get(i).toString());
    }

    /** Preprocesses decoded images into one {@code [B, 3, H, W]} batch (see {@link #batch(List, Parallelism)}). */
    public PixelBatch batchImages(List<RgbImage> images, Parallelism perImage) {
        try {
            return build(images.size(), perImage, images::get, i -> "image " + i);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Source {
        RgbImage get(int i);
    }

    private interface Name {
        String of(int i);
    }

    private PixelBatch build(int n, Parallelism perImage, Source source, Name name) throws IOException {
        ResizeRule.Size fixed = config.fixedOutputSize();
        if (n == 0) {
            return fixed == null ? new PixelBatch(new float[0], 0, 1, 1) : new PixelBatch(new float[0], 0, fixed.height(), fixed.width());
        }
        try {
            RgbImage first = null;
            if (fixed == null) {
                first = source.get(0);
                fixed = config.outputSize(first.width(), first.height());
            }
            ResizeRule.Size size = fixed;
            int per = 3 * size.height() * size.width();
            float[] values = new float[Math.multiplyExact(per, n)];
            FloatBuffer dst = FloatBuffer.wrap(values);
            RgbImage firstImage = first;
            IntStream range = IntStream.range(0, n);
            (perImage == Parallelism.PARALLEL ? range.parallel() : range).forEach(i -> {
                RgbImage img = i == 0 && firstImage != null ? firstImage : source.get(i);
                ResizeRule.Size got = config.outputSize(img.width(), img.height());
                if (!got.equals(size)) {
                    throw new IllegalArgumentException(name.of(i) + ": preprocesses to " + got + ", the batch is " + size
                            + " (a shortest-edge resize without a crop keeps the aspect ratio; batch images of one shape)");
                }
                write(resize(img), size, dst, i * per);
            });
            return new PixelBatch(values, n, size.height(), size.width());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Crop, rescale and normalise {@code resized} into {@code dst[offset ...]} as {@code [3, H, W]}. */
    private void write(RgbImage resized, ResizeRule.Size out, FloatBuffer dst, int offset) {
        int w = resized.width();
        int h = resized.height();
        int outW = out.width();
        int outH = out.height();
        CenterCrop crop = config.crop();
        int top = crop == null ? 0 : crop.top(h);
        int left = crop == null ? 0 : crop.left(w);
        byte[] px = resized.pixels();
        float[] row = new float[outW];
        int x0 = Math.max(0, -left);
        int x1 = Math.min(outW, w - left);
        for (int c = 0; c < 3; c++) {
            int l = c * 256;
            float zero = lut[l];
            for (int y = 0; y < outH; y++) {
                int sy = y + top;
                if (sy < 0 || sy >= h) {
                    Arrays.fill(row, zero);
                } else {
                    Arrays.fill(row, 0, Math.max(0, x0), zero);
                    int p = (sy * w + x0 + left) * 3 + c;
                    for (int x = x0; x < x1; x++, p += 3) {
                        row[x] = lut[l + (px[p] & 0xFF)];
                    }
                    if (x1 < outW) {
                        Arrays.fill(row, Math.max(x1, 0), outW, zero);
                    }
                }
                dst.put(offset + (c * outH + y) * outW, row);
            }
        }
    }

    private AxisWeights axis(int in, int out) {
        long key = ((long) in << 32) | out;
        AxisWeights w = weights.get(key);
        if (w == null) {
            if (weights.size() > WEIGHT_CACHE_LIMIT) {
                weights.clear();
            }
            w = AxisWeights.of(in, out, config.filter());
            weights.put(key, w);
        }
        return w;
    }
}

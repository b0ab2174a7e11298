package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A segmentation head's per-pixel prediction from its per-patch logits, as DINOv2's linear segmentation head and
 * mmsegmentation score one: the logit grid {@code [gridH, gridW, classes]} is resized to the image's height and width
 * by bilinear interpolation with {@code align_corners=False} ({@code F.interpolate(logits, size, mode="bilinear",
 * align_corners=False)}: output pixel {@code o} reads source coordinate {@code (o + 0.5) * in / out - 0.5}, clamped
 * at 0, between its two neighbouring patch centres, the last patch repeated past the edge), then each pixel takes the
 * class of its largest logit (the first on a tie, as {@code argmax}). The grid is stretched over the whole image, so
 * rows and columns past the last whole patch (an image side not a multiple of the patch) are covered too.
 *
 * <p>The interpolation is libtorch's {@code upsample_bilinear2d}, reached through DJL's
 * {@code NDArrayEx.interpolation} (mode 1 = bilinear; DJL's PyTorch engine passes {@code align_corners=false}), so it
 * runs where the logits are, on the GPU included. Memory: the upsampled {@code [classes, height, width]} float32 logits
 * of one image at a time.
 */
public final class PixelPredictions {

    /** DJL's {@code NDArrayEx.interpolation} mode for bilinear (0 nearest, 1 bilinear, 2 area, 3 bicubic). */
    private static final int BILINEAR = 1;

    private PixelPredictions() {}

    /**
     * The logits of {@code grid} {@code [gridH, gridW, classes]} resized to {@code [height, width, classes]} (float32,
     * on the manager of {@code grid}).
     *
     * @throws IllegalArgumentException when {@code grid} is not 3-dimensional or the size is not positive
     */
    public static NDArray upsample(NDArray grid, int height, int width) {
        try (NDArray chw = upsampledChannelsFirst(grid, height, width)) {
            return chw.transpose(1, 2, 0);
        }
    }

    /**
     * The class of every pixel, {@code [height * width]} row-major: the argmax over the classes of the upsampled
     * logits of {@code grid} {@code [gridH, gridW, classes]}.
     *
     * @throws IllegalArgumentException when {@code grid} is not 3-dimensional or the size is not positive
     */
    public static int[] classes(NDArray grid, int height, int width) {
        try (NDArray chw = upsampledChannelsFirst(grid, height, width); NDArray best = chw.argMax(0)) {
            long[] l = best.toLongArray();
            int[] out = new int[l.length];
            for (int i = 0; i < l.length; i++) {
                out[i] = (int) l[i];
            }
            return out;
        }
    }

    /** {@code [classes, height, width]}. */
    private static NDArray upsampledChannelsFirst(NDArray grid, int height, int width) {
        Shape s = grid.getShape();
        if (s.dimension() != 3 || s.size() == 0) {
            throw new IllegalArgumentException("the logit grid has shape " + s + "; expected [gridH, gridW, classes]");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("the image size " + height + "x" + width + " is not positive");
        }
        try (NDArray f = grid.toType(DataType.FLOAT32, true); NDArray chw = f.transpose(2, 0, 1); NDArray nchw = chw.expandDims(0);
             NDArray up = nchw.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false)) {
            return up.squeeze(0);
        }
    }
}

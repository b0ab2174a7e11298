package saelab.lm.moondream;

/**
 * How many local crops cover an image: {@code rows x cols} tiles, row-major. {@link #select} is the
 * reference's {@code select_tiling} ({@code moondream/torch/image_crops.py}, github.com/vikhyat/moondream
 * at 44146f1).
 *
 * @param rows tiles down (tiles_h)
 * @param cols tiles across (tiles_w)
 */
public record CropTiling(int rows, int cols) {

    public CropTiling {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("a crop tiling needs at least 1 x 1 tiles, got " + rows + " x " + cols);
        }
    }

    /** Number of local crops. */
    public int tiles() {
        return rows * cols;
    }

    /**
     * The tiling of an image of {@code height x width} pixels (after the reference subtracts both
     * margins) by windows of {@code cropSize} pixels, at most {@code maxCrops} tiles, as
     * {@code select_tiling}: one tile when either side fits one window; else the tiles needed per side,
     * scaled down proportionally when their product exceeds max_crops; else the aspect-ratio tiling
     * floor(sqrt(max_crops h / w)) x floor(sqrt(max_crops w / h)), raised to the tiles needed and, if
     * over max_crops, with its larger side cut to fit.
     */
    public static CropTiling select(int height, int width, int cropSize, int maxCrops) {
        if (height <= cropSize || width <= cropSize) {
            return new CropTiling(1, 1);
        }
        int minH = ceilDiv(height, cropSize);
        int minW = ceilDiv(width, cropSize);
        if ((long) minH * minW > maxCrops) {
            double ratio = Math.sqrt((double) maxCrops / ((double) minH * minW));
            return new CropTiling(Math.max(1, (int) Math.floor(minH * ratio)), Math.max(1, (int) Math.floor(minW * ratio)));
        }
        int h = (int) Math.floor(Math.sqrt((double) maxCrops * height / width));
        int w = (int) Math.floor(Math.sqrt((double) maxCrops * width / height));
        h = Math.max(h, minH);
        w = Math.max(w, minW);
        if ((long) h * w > maxCrops) {
            if (w > h) {
                w = maxCrops / h;
            } else {
                h = maxCrops / w;
            }
        }
        return new CropTiling(Math.max(1, h), Math.max(1, w));
    }

    /** ceil(a / b) for positive ints, as Python's {@code math.ceil(a / b)} on these sizes. */
    private static int ceilDiv(int a, int b) {
        return Math.ceilDiv(a, b);
    }
}

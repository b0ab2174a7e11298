package saelab.lm.moondream;

import saelab.image.PillowResize;
import saelab.image.ResampleFilter;
import saelab.image.RgbImage;

/**
 * moondream2's multi-crop tiling, {@code overlap_crop_image} of the reference
 * ({@code moondream/torch/image_crops.py}, github.com/vikhyat/moondream at 44146f1), with its
 * Pillow fallback: a global crop (the whole image resized to the crop size) and local crops cut from
 * the image resized to {@code rows * window + 2 * margin} by {@code cols * window + 2 * margin}
 * pixels at a stride of one window (window = crop minus both margins), so neighbouring crops overlap
 * by two margins; a crop running past the image is zero-padded. Both resizes are Pillow's Lanczos
 * ({@link PillowResize}, bit-exact). With pyvips installed the reference resizes with libvips
 * instead, a different resampler; saelab follows the Pillow path.
 */
public final class OverlapCropper {

    private OverlapCropper() {}

    /**
     * The crops of {@code image} for the sizes in {@code config}.
     *
     * @throws IllegalArgumentException when the crops would not fit in memory (a huge max_crops)
     */
    public static CropSet crop(RgbImage image, MoondreamVisionConfig config) {
        int size = config.cropSize();
        int margin = config.marginPixels();
        int window = config.cropWindowPixels();
        CropTiling tiling = CropTiling.select(image.height() - 2 * margin, image.width() - 2 * margin, window, config.maxCrops());
        long targetH = (long) tiling.rows() * window + 2L * margin;
        long targetW = (long) tiling.cols() * window + 2L * margin;
        long cropBytes = (long) (tiling.tiles() + 1) * size * size * 3;
        if (targetH * targetW > RgbImage.MAX_PIXELS || cropBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("an image of " + image.width() + "x" + image.height() + " with max_crops " + config.maxCrops()
                    + " needs " + tiling.rows() + "x" + tiling.cols() + " crops of " + size + " px (" + cropBytes
                    + " bytes), more than one Java array holds; lower vision.max_crops");
        }
        RgbImage resized = PillowResize.resize(image, (int) targetW, (int) targetH, ResampleFilter.LANCZOS);
        RgbImage global = PillowResize.resize(image, size, size, ResampleFilter.LANCZOS);
        byte[] out = new byte[(int) cropBytes];
        int cropLen = size * size * 3;
        System.arraycopy(global.pixels(), 0, out, 0, cropLen);
        byte[] src = resized.pixels();
        int srcW = resized.width();
        for (int i = 0; i < tiling.rows(); i++) {
            for (int j = 0; j < tiling.cols(); j++) {
                int y0 = i * window;
                int x0 = j * window;
                int rows = Math.min(y0 + size, resized.height()) - y0;
                int cols = Math.min(x0 + size, srcW) - x0;
                int base = (1 + i * tiling.cols() + j) * cropLen;
                for (int y = 0; y < rows; y++) {
                    System.arraycopy(src, ((y0 + y) * srcW + x0) * 3, out, base + y * size * 3, cols * 3);
                }
            }
        }
        return new CropSet(out, size, tiling);
    }
}

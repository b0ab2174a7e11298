package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import saelab.image.RgbImage;

/**
 * The crops of one image as moondream2's {@code overlap_crop_image} returns them: the global crop
 * (index 0) and the local crops in row-major tile order, each {@code size x size} RGB, 8-bit.
 *
 * @param pixels {@code [count, size, size, 3]} row-major (HWC per crop), values 0..255
 * @param size   the crop side in pixels
 * @param tiling the local tiles (count = tiles + 1)
 */
public record CropSet(byte[] pixels, int size, CropTiling tiling) {

    public CropSet {
        long expected = (long) (tiling.tiles() + 1) * size * size * 3;
        if (pixels.length != expected) {
            throw new IllegalArgumentException(tiling.rows() + "x" + tiling.cols() + " tiles of " + size + " px need " + expected
                    + " crop bytes (global crop first), got " + pixels.length);
        }
    }

    /** Number of crops, the global one included. */
    public int count() {
        return tiling.tiles() + 1;
    }

    /** Crop {@code i} (0 = global) as an image. */
    public RgbImage crop(int i) {
        int n = size * size * 3;
        byte[] px = new byte[n];
        System.arraycopy(pixels, i * n, px, 0, n);
        return new RgbImage(size, size, px);
    }

    /**
     * The crops as the vision encoder's input, {@code [count, 3, size, size]} float32 on {@code manager}:
     * (x / 255 - 0.5) / 0.5 per value, each step rounded to float32, as the reference's
     * {@code prepare_crops} divides, subtracts and divides a float tensor in place.
     */
    public NDArray normalised(NDManager manager) {
        int plane = size * size;
        int n = count();
        float[] out = new float[n * 3 * plane];
        for (int c = 0; c < n; c++) {
            int src = c * plane * 3;
            int dst = c * plane * 3;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    float v = (pixels[src + p * 3 + ch] & 0xFF) / 255f;
                    out[dst + ch * plane + p] = (v - 0.5f) / 0.5f;
                }
            }
        }
        return manager.create(out, new Shape(n, 3, size, size));
    }
}

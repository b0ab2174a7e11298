package saelab.plot;

import java.awt.image.BufferedImage;
import saelab.image.RgbImage;

/**
 * A latent's patch map drawn over the image the model saw. The map ({@code gridH × gridW} values in
 * raster order, patch tokens only, so CLS and register tokens never appear) is upsampled to the
 * image by nearest neighbour: pixel (x, y) takes patch ({@code y * gridH / height},
 * {@code x * gridW / width}), so with DINOv2's 14-pixel patches on a 224 crop each patch is a solid
 * 14 × 14 block aligned with the patch grid. A value v > 0 is coloured {@link Colormaps#viridisRgb}
 * of {@code v / scaleMax} and blended over the pixel as {@code round(alpha · colour + (1 − alpha) · pixel)}
 * per channel; where v ≤ 0 the pixel keeps the image's own colour. Without an image the heatmap is
 * drawn alone, opaque, zero included.
 */
public final class HeatmapOverlay {

    private HeatmapOverlay() {}

    /**
     * Renders one tile.
     *
     * @param image    the model's view (resized and cropped, not normalised), or null for the heatmap alone
     * @param width    tile width in pixels (the image's width when there is one)
     * @param height   tile height in pixels
     * @param map      {@code gridH * gridW} values
     * @param scaleMax the value drawn with the colormap's top colour (> 0)
     * @param alpha    opacity of the heatmap over the image, in [0, 1]
     */
    public static BufferedImage render(RgbImage image, int width, int height, float[] map, int gridH, int gridW,
                                       double scaleMax, double alpha) {
        if (gridH < 1 || gridW < 1 || map.length != gridH * gridW) {
            throw new IllegalArgumentException("patch map has " + map.length + " values; expected grid " + gridH + " x " + gridW);
        }
        if (image != null && (image.width() != width || image.height() != height)) {
            throw new IllegalArgumentException("image is " + image.width() + "x" + image.height() + "; expected the tile size "
                    + width + "x" + height);
        }
        if (!(scaleMax > 0) || !(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("scale max must be > 0 and alpha in [0, 1], got " + scaleMax + " and " + alpha);
        }
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            int gy = (int) ((long) y * gridH / height);
            for (int x = 0; x < width; x++) {
                int gx = (int) ((long) x * gridW / width);
                float v = map[gy * gridW + gx];
                if (image == null) {
                    row[x] = Colormaps.viridisRgb(v / scaleMax);
                } else {
                    int px = (image.get(y, x, 0) << 16) | (image.get(y, x, 1) << 8) | image.get(y, x, 2);
                    row[x] = v > 0 ? blend(Colormaps.viridisRgb(v / scaleMax), px, alpha) : px;
                }
            }
            out.setRGB(0, y, width, 1, row, 0, width);
        }
        return out;
    }

    /** {@code round(alpha · top + (1 − alpha) · bottom)} per channel of packed RGB. */
    public static int blend(int top, int bottom, double alpha) {
        int rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int t = (top >> shift) & 0xFF;
            int b = (bottom >> shift) & 0xFF;
            rgb |= (int) Math.round(alpha * t + (1 - alpha) * b) << shift;
        }
        return rgb;
    }
}

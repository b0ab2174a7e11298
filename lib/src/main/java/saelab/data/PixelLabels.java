package saelab.data;

/**
 * A segmentation label map at the resolution the ViT sees, pixel by pixel: the map resized with the image's
 * geometry by nearest neighbour and centre-cropped, exactly as {@link PatchLabels#of} does before its per-patch vote
 * (Pillow's {@code Image.resize(size, NEAREST)} source indices, then the crop of {@link ResizeCropGeometry}), so the
 * pixel labels and the capture's patch labels come from one geometry. Unlike the patch grid, the whole crop is kept,
 * including rows and columns past the last whole patch. Used to score a segmentation head per pixel (mmsegmentation
 * resizes label maps the same way, with nearest-neighbour interpolation).
 *
 * @param height rows of the crop
 * @param width  columns of the crop
 * @param labels {@code [height * width]} labels 0..255, row-major
 */
public record PixelLabels(int height, int width, int[] labels) {

    public PixelLabels {
        if (height < 1 || width < 1 || labels == null || labels.length != (long) height * width) {
            throw new IllegalArgumentException("pixel labels: expected " + height + " x " + width + " labels");
        }
    }

    /**
     * The labels of {@code map} after {@code geometry}'s resize (nearest neighbour) and crop.
     *
     * @param map      the label map at the image's original size
     * @param geometry the image preprocessing's resize and crop
     * @throws IllegalArgumentException when the crop is larger than the resized map
     */
    public static PixelLabels of(LabelMap map, ResizeCropGeometry geometry) {
        int[] resized = geometry.resized(map.height(), map.width());
        int[] box = geometry.cropBox(map.height(), map.width());
        int[] ySrc = PatchLabels.nearestSources(map.height(), resized[0]);
        int[] xSrc = PatchLabels.nearestSources(map.width(), resized[1]);
        int[] labels = new int[box[2] * box[3]];
        for (int y = 0; y < box[2]; y++) {
            int sy = ySrc[box[0] + y];
            for (int x = 0; x < box[3]; x++) {
                int sx = xSrc[box[1] + x];
                labels[y * box[3] + x] = sy < 0 || sx < 0 ? 0 : map.get(sy, sx); // as PatchLabels: Pillow leaves such pixels 0
            }
        }
        return new PixelLabels(box[2], box[3], labels);
    }

    /** The label at row {@code y}, column {@code x}. */
    public int label(int y, int x) {
        return labels[y * width + x];
    }
}

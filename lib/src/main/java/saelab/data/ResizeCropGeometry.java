package saelab.data;

/**
 * The geometry of an image preprocessing: a resize (the short edge to a length, keeping the aspect ratio;
 * or to a fixed height x width) followed by an optional centre crop. It gives the sizes and offsets only,
 * so the image pipeline and the label maps (ADE20K) can apply the same geometry. Rules, as in
 * {@code lib/MODELS.md} §2.1:
 * <ul>
 *   <li>short edge {@code s} (HF {@code shortest_edge}, torchvision {@code Resize(int)}): the short side
 *       becomes {@code s}, the long side {@code trunc(s * long / short)} (computed in double, as Python's
 *       {@code int(s * long / short)});</li>
 *   <li>fixed: straight to {@code resizeHeight x resizeWidth}, aspect ratio not kept;</li>
 *   <li>centre crop {@code cropHeight x cropWidth} with the offsets of {@link CropRounding}; a crop larger than
 *       the resized image is an error (the reference tools would pad).</li>
 * </ul>
 *
 * @param shortEdge    target short edge, or 0 for a fixed-size resize
 * @param resizeHeight fixed height, or 0 with a short-edge resize
 * @param resizeWidth  fixed width, or 0 with a short-edge resize
 * @param cropHeight   crop height, or 0 for no crop
 * @param cropWidth    crop width, or 0 for no crop
 * @param rounding     rounding of the crop offsets
 */
public record ResizeCropGeometry(int shortEdge, int resizeHeight, int resizeWidth, int cropHeight, int cropWidth,
                                 CropRounding rounding) {

    public ResizeCropGeometry {
        boolean byEdge = shortEdge > 0 && resizeHeight == 0 && resizeWidth == 0;
        boolean fixed = shortEdge == 0 && resizeHeight > 0 && resizeWidth > 0;
        if (!byEdge && !fixed) {
            throw new IllegalArgumentException("geometry: expected a short edge > 0 or a fixed height and width > 0, got"
                    + " short edge " + shortEdge + ", fixed " + resizeHeight + "x" + resizeWidth);
        }
        if ((cropHeight == 0) != (cropWidth == 0) || cropHeight < 0 || cropWidth < 0) {
            throw new IllegalArgumentException("geometry: crop must be both > 0 or both 0 (no crop), got " + cropHeight + "x" + cropWidth);
        }
        if (rounding == null) {
            rounding = CropRounding.FLOOR;
        }
    }

    /** Resize the short edge to {@code edge}, then centre-crop {@code crop x crop}. */
    public static ResizeCropGeometry shortEdge(int edge, int crop, CropRounding rounding) {
        return new ResizeCropGeometry(edge, 0, 0, crop, crop, rounding);
    }

    /** Resize straight to {@code height x width}, no crop (SigLIP). */
    public static ResizeCropGeometry fixed(int height, int width) {
        return new ResizeCropGeometry(0, height, width, 0, 0, CropRounding.FLOOR);
    }

    /** Resize straight to {@code height x width}, then centre-crop (saev's squash resize + crop). */
    public static ResizeCropGeometry fixed(int height, int width, int cropHeight, int cropWidth, CropRounding rounding) {
        return new ResizeCropGeometry(0, height, width, cropHeight, cropWidth, rounding);
    }

    /** The size after the resize, {@code {height, width}}, of an image of {@code height x width}. */
    public int[] resized(int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        if (shortEdge == 0) {
            return new int[] {resizeHeight, resizeWidth};
        }
        int shortSide = Math.min(height, width);
        int longSide = Math.max(height, width);
        int newLong = (int) ((double) shortEdge * longSide / shortSide);
        return width <= height ? new int[] {newLong, shortEdge} : new int[] {shortEdge, newLong};
    }

    /**
     * The crop on the resized image, {@code {top, left, height, width}}, for an input of
     * {@code height x width}.
     */
    public int[] cropBox(int height, int width) {
        int[] r = resized(height, width);
        if (cropHeight == 0) {
            return new int[] {0, 0, r[0], r[1]};
        }
        if (cropHeight > r[0] || cropWidth > r[1]) {
            throw new IllegalArgumentException("crop " + cropHeight + "x" + cropWidth + " is larger than the resized image "
                    + r[0] + "x" + r[1] + " (of an input of " + height + "x" + width + ")");
        }
        return new int[] {rounding.offset(r[0], cropHeight), rounding.offset(r[1], cropWidth), cropHeight, cropWidth};
    }
}

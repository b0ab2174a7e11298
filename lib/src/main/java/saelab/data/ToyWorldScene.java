package saelab.data;

import java.util.List;

/**
 * One rendered toy-world image ({@link ToyWorld#scene}) with its ground truth. Arrays are row-major,
 * {@code size x size}; pixel values are exact (no antialiasing).
 *
 * @param index         the scene index
 * @param size          image side in pixels
 * @param rgb           {@code [size * size * 3]} RGB bytes, row-major, channels last
 * @param classMask     {@code [size * size]} segmentation class per pixel: 0 = background, else
 *                      {@link ToyWorld#classIndex} of the object on top
 * @param instanceMask  {@code [size * size]} 0 = background, k = the k-th object (1-based, drawing order)
 * @param background    the background kind
 * @param objects       the objects in drawing order (later ones cover earlier ones); every one has at least
 *                      one visible pixel
 * @param largest       index into {@code objects} of the object with the most visible pixels (ties: the first)
 * @param caption       the caption in words ({@link ToyWorldCaption})
 */
public record ToyWorldScene(int index, int size, byte[] rgb, byte[] classMask, byte[] instanceMask,
                            ToyWorldBackground background, List<ToyWorldObject> objects, int largest, String caption) {

    /** The largest object. */
    public ToyWorldObject largestObject() {
        return objects.get(largest);
    }

    /** The image-level class: the largest object's segmentation class ({@link ToyWorld#classIndex}, 1-based). */
    public int label() {
        return largestObject().classIndex();
    }

    /** The image-level class name, {@code colour_shape} of the largest object. */
    public String className() {
        return largestObject().className();
    }

    /** The {@code 0xRRGGBB} colour of pixel {@code (x, y)}. */
    public int pixel(int x, int y) {
        int o = (y * size + x) * 3;
        return ((rgb[o] & 0xFF) << 16) | ((rgb[o + 1] & 0xFF) << 8) | (rgb[o + 2] & 0xFF);
    }

    /**
     * The colour mask, {@code [size * size]}: per pixel 0 = background, else {@code 1 + colour.ordinal()} of the
     * object on top ({@link ToyWorld#colourLabel} of the class mask).
     */
    public byte[] colourMask() {
        byte[] out = new byte[classMask.length];
        for (int p = 0; p < out.length; p++) {
            out[p] = (byte) ToyWorld.colourLabel(classMask[p] & 0xFF);
        }
        return out;
    }

    /** The class mask as a label map (the ADE20K-style annotation). */
    public LabelMap labelMap() {
        return new LabelMap(size, size, classMask.clone());
    }
}

package saelab.data;

/**
 * How a centre crop's offset is rounded when the margin is odd (see {@code lib/MODELS.md} §2.1):
 * the two conventions differ by one pixel exactly when {@code (size - crop) mod 4 == 3}.
 */
public enum CropRounding {

    /**
     * Hugging Face image processors ({@code transformers.image_transforms.center_crop}):
     * {@code offset = (size - crop) div 2}.
     */
    FLOOR,

    /**
     * torchvision and open_clip ({@code torchvision.transforms.functional.center_crop}):
     * {@code offset = round((size - crop) / 2)} with Python's round-half-to-even.
     */
    ROUND_HALF_EVEN;

    /** The offset of a centre crop of {@code crop} pixels in {@code size} pixels ({@code crop <= size}). */
    public int offset(int size, int crop) {
        if (crop > size || crop < 1) {
            throw new IllegalArgumentException("crop of " + crop + " pixels must be between 1 and the size " + size);
        }
        int margin = size - crop;
        return this == FLOOR ? margin / 2 : (int) Math.rint(margin / 2.0);
    }
}

package saelab.image;

/**
 * Where a centre crop starts when the image and the crop differ in size, along one axis. The two
 * reference conventions differ by one pixel exactly when {@code (size - crop) % 4 == 3}
 * (models spec section 2.3), so each model family names its rule explicitly.
 */
public enum CropRule {

    /**
     * Hugging Face {@code image_transforms.center_crop}: offset {@code floor((size - crop) / 2)};
     * a crop larger than the image pads {@code ceil((crop - size) / 2)} zeros before it.
     * Used by CLIPImageProcessor and BitImageProcessor (CLIP, DINOv2).
     */
    FLOOR,

    /**
     * torchvision {@code CenterCrop} (open_clip, BioCLIP, Meta's DINOv2 transform): offset
     * {@code round((size - crop) / 2)} with Python's round half to even; a crop larger than the
     * image pads {@code floor((crop - size) / 2)} zeros before it.
     */
    ROUND_HALF_EVEN;

    /**
     * The input index of the crop's first sample: non-negative inside the image, negative when the
     * crop is larger than the image (that many zero samples come first).
     */
    public int offset(int size, int crop) {
        if (size >= crop) {
            return switch (this) {
                case FLOOR -> (size - crop) / 2;
                case ROUND_HALF_EVEN -> (int) Math.rint((size - crop) / 2.0);
            };
        }
        int pad = crop - size;
        return switch (this) {
            case FLOOR -> -((pad + 1) / 2);
            case ROUND_HALF_EVEN -> -(pad / 2);
        };
    }
}

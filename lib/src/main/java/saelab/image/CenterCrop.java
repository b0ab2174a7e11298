package saelab.image;

/**
 * A centre crop to {@code height x width} with the offset convention of {@code rule}; a crop
 * larger than the image is padded with zeros (black), as both reference implementations do.
 *
 * @param height rows of the crop, at least 1
 * @param width  columns of the crop, at least 1
 * @param rule   how the offset is rounded
 */
public record CenterCrop(int height, int width, CropRule rule) {

    public CenterCrop {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("a crop size must be at least 1x1, got height " + height + ", width " + width);
        }
        if (rule == null) {
            throw new IllegalArgumentException("a centre crop needs a rounding rule");
        }
    }

    /** First input row of the crop of an image {@code imageHeight} rows high (negative: zero rows first). */
    public int top(int imageHeight) {
        return rule.offset(imageHeight, height);
    }

    /** First input column of the crop of an image {@code imageWidth} columns wide (negative: zero columns first). */
    public int left(int imageWidth) {
        return rule.offset(imageWidth, width);
    }
}

package saelab.image;

/**
 * An 8-bit RGB image held as interleaved bytes in row-major {@code [height][width][3]} order
 * (the layout of Pillow's {@code np.asarray(img.convert("RGB"))}). Values are unsigned: read a
 * sample as {@code pixels[i] & 0xFF}. The array is shared, not copied; treat it as read-only once
 * the image is handed on.
 *
 * @param width  columns, at least 1
 * @param height rows, at least 1
 * @param pixels {@code height * width * 3} bytes, R, G, B per pixel
 */
public record RgbImage(int width, int height, byte[] pixels) {

    /** Largest number of pixels an image may have (so that {@code width * height * 3} fits a Java array). */
    public static final long MAX_PIXELS = (Integer.MAX_VALUE - 8) / 3;

    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image needs at least 1x1 pixels, got " + width + "x" + height);
        }
        if ((long) width * height > MAX_PIXELS) {
            throw new IllegalArgumentException("an image of " + width + "x" + height + " pixels is larger than the "
                    + MAX_PIXELS + " pixels saelab holds in one array");
        }
        if (pixels.length != width * height * 3) {
            throw new IllegalArgumentException("an RGB image of " + width + "x" + height + " needs " + (width * height * 3)
                    + " bytes, got " + pixels.length);
        }
    }

    /** A black image of the given size. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    /** The sample at row {@code y}, column {@code x}, channel {@code c} (0 R, 1 G, 2 B), 0..255. */
    public int get(int y, int x, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}

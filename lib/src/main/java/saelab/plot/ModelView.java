package saelab.plot;

import saelab.image.CenterCrop;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;

/**
 * The image as a model saw it, in 8-bit RGB: the preprocessor's resize (Pillow resampling, see
 * {@link Preprocessor#resize}) then its centre crop, zero-padded where the crop is larger than the
 * image, without rescaling or normalisation; the pixels behind the patch grid of the cached tokens.
 */
public final class ModelView {

    private ModelView() {}

    /** Resizes and crops {@code image} as {@code pre} does before normalising. */
    public static RgbImage of(Preprocessor pre, RgbImage image) {
        RgbImage resized = pre.resize(image);
        CenterCrop crop = pre.config().crop();
        if (crop == null) {
            return resized;
        }
        int w = resized.width();
        int h = resized.height();
        int top = crop.top(h);
        int left = crop.left(w);
        if (top == 0 && left == 0 && crop.width() == w && crop.height() == h) {
            return resized;
        }
        byte[] src = resized.pixels();
        byte[] dst = new byte[crop.width() * crop.height() * 3];
        int x0 = Math.max(0, -left);
        int x1 = Math.min(crop.width(), w - left);
        for (int y = 0; y < crop.height(); y++) {
            int sy = y + top;
            if (sy < 0 || sy >= h || x1 <= x0) {
                continue; // zero padding, as the reference crop does
            }
            System.arraycopy(src, (sy * w + x0 + left) * 3, dst, (y * crop.width() + x0) * 3, (x1 - x0) * 3);
        }
        return new RgbImage(crop.width(), crop.height(), dst);
    }
}

package saelab.capture;

import java.util.Optional;
import saelab.data.CropRounding;
import saelab.data.ResizeCropGeometry;
import saelab.image.CropRule;
import saelab.image.PreprocessConfig;
import saelab.image.ResizeRule;

/**
 * The resize and crop of an image preprocessing as a {@link ResizeCropGeometry}, so that label maps (the
 * capture's ADE20K patch labels, the toy world's masks) go through the same geometry as the pixels: a
 * short-edge or fixed resize, then the centre crop with its rounding rule (round-half-even where the
 * preprocessing says so, floor otherwise).
 */
public final class PreprocessGeometry {

    private PreprocessGeometry() {}

    /**
     * The geometry of {@code c}, or empty when the preprocessing does not resize (the caller says what
     * needed a fixed geometry).
     */
    public static Optional<ResizeCropGeometry> of(PreprocessConfig c) {
        int ch = c.crop() == null ? 0 : c.crop().height();
        int cw = c.crop() == null ? 0 : c.crop().width();
        CropRounding r = c.crop() != null && c.crop().rule() == CropRule.ROUND_HALF_EVEN ? CropRounding.ROUND_HALF_EVEN
                : CropRounding.FLOOR;
        return switch (c.resize()) {
            case ResizeRule.ShortestEdge s -> Optional.of(new ResizeCropGeometry(s.size(), 0, 0, ch, cw, r));
            case ResizeRule.Fixed f -> Optional.of(new ResizeCropGeometry(0, f.height(), f.width(), ch, cw, r));
            case null -> Optional.empty();
        };
    }
}

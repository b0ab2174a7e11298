package saelab.demo;

import saelab.data.CropRounding;
import saelab.data.ResizeCropGeometry;
import saelab.image.CropRule;
import saelab.image.PreprocessConfig;
import saelab.image.ResizeRule;

/**
 * The resize and crop of an image preprocessing as a {@link ResizeCropGeometry}, so that the toy world's masks
 * go through the same geometry as the pixels (and as the capture's ADE20K patch labels). The same mapping as the
 * capture's own (package-private in {@code saelab.capture}, hence repeated here in a few lines).
 */
final class PreprocessGeometry {

    private PreprocessGeometry() {}

    /**
     * The geometry of {@code c}.
     *
     * @throws IllegalArgumentException when the preprocessing does not resize (per-patch labels need a fixed geometry)
     */
    static ResizeCropGeometry of(PreprocessConfig c) {
        int ch = c.crop() == null ? 0 : c.crop().height();
        int cw = c.crop() == null ? 0 : c.crop().width();
        CropRounding r = c.crop() != null && c.crop().rule() == CropRule.ROUND_HALF_EVEN ? CropRounding.ROUND_HALF_EVEN
                : CropRounding.FLOOR;
        return switch (c.resize()) {
            case ResizeRule.ShortestEdge s -> new ResizeCropGeometry(s.size(), 0, 0, ch, cw, r);
            case ResizeRule.Fixed f -> new ResizeCropGeometry(0, f.height(), f.width(), ch, cw, r);
            case null -> throw new IllegalArgumentException(c.source() + ": the preprocessing does not resize; the toy world's"
                    + " per-patch ground truth needs the resize + crop geometry of the images (set size.shortest_edge)");
        };
    }
}

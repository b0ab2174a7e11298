package saelab.demo;

import java.util.List;
import saelab.toy.ToyBackboneKind;
import saelab.toy.ToyBackboneSpec;

/**
 * The backbones {@code saelab demo} uses when none are named on the command line: the small CLIP-layout
 * (language-supervised) and DINOv2-layout (vision-only) models trained on the toy world ({@code saelab.toy}),
 * mirroring the paper's comparison of the two kinds of pre-training. The quick size trains them for seconds,
 * the demo size for about two minutes each.
 */
public final class DemoBackbones {

    private DemoBackbones() {}

    /** The built-in backbones for a demo size: CLIP layout first, then DINOv2 layout. */
    public static List<BackboneProvider> standard(DemoSize size) {
        boolean quick = "quick".equals(size.name());
        return List.of(
                new ToyBackbone(quick ? ToyBackboneSpec.quick(ToyBackboneKind.CLIP) : ToyBackboneSpec.demo(ToyBackboneKind.CLIP)),
                new ToyBackbone(quick ? ToyBackboneSpec.quick(ToyBackboneKind.DINOV2) : ToyBackboneSpec.demo(ToyBackboneKind.DINOV2)));
    }
}

package saelab.toy;

import java.util.LinkedHashMap;
import java.util.Map;
import saelab.data.ToyWorld;

/**
 * The full shape of a toy backbone: the spec's free sizes plus the constants this generator fixes.
 *
 * @param imageSize      image side in pixels (the world's; a multiple of the patch size)
 * @param patch          patch side in pixels (8: a 64-pixel image is an 8 x 8 grid, 64 patches plus the class token)
 * @param width          model width D of every tower
 * @param layers         blocks per tower
 * @param heads          attention heads per block
 * @param mlpHidden      MLP hidden width (4 D, the ViT ratio)
 * @param vocabSize      CLIP's token table size (0 for DINOv2)
 * @param contextLength  CLIP's text positions (0 for DINOv2)
 * @param projectionDim  CLIP's shared embedding size (D; 0 for DINOv2)
 * @param layerScaleInit DINOv2's LayerScale start value (Touvron et al. 2021, CaiT), the config's {@code layerscale_value}
 */
record ToyArchitecture(int imageSize, int patch, int width, int layers, int heads, int mlpHidden, int vocabSize, int contextLength,
                       int projectionDim, double layerScaleInit) {

    /** The patch side of every toy backbone. */
    static final int PATCH = 8;
    /** MLP hidden width over model width. */
    static final int MLP_RATIO = 4;
    /** DINOv2 LayerScale start: 0.1, since with two to four blocks there is no deep stack to stabilise. */
    static final double LAYER_SCALE_INIT = 0.1;

    /**
     * The architecture of {@code spec} on {@code world}; {@code vocabSize} and {@code contextLength} come from
     * the CLIP tokenizer (ignored for DINOv2).
     *
     * @throws IllegalArgumentException when the world's image side is not a multiple of the patch size
     */
    static ToyArchitecture of(ToyBackboneSpec spec, ToyWorld world, int vocabSize, int contextLength) {
        if (world.imageSize() % PATCH != 0) {
            throw new IllegalArgumentException("toy world: image_size " + world.imageSize() + " is not a multiple of the toy backbones' patch size "
                    + PATCH);
        }
        boolean clip = spec.kind() == ToyBackboneKind.CLIP;
        return new ToyArchitecture(world.imageSize(), PATCH, spec.width(), spec.layers(), spec.heads(), MLP_RATIO * spec.width(),
                clip ? vocabSize : 0, clip ? contextLength : 0, clip ? spec.width() : 0, LAYER_SCALE_INIT);
    }

    /** Patches per image. */
    int patches() {
        int g = imageSize / patch;
        return g * g;
    }

    /** The architecture as JSON (for the report). */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_size", imageSize);
        m.put("patch_size", patch);
        m.put("width", width);
        m.put("layers", layers);
        m.put("heads", heads);
        m.put("mlp_hidden", mlpHidden);
        if (vocabSize > 0) {
            m.put("vocab_size", vocabSize);
            m.put("context_length", contextLength);
            m.put("projection_dim", projectionDim);
        } else {
            m.put("layerscale_init", layerScaleInit);
        }
        return m;
    }
}

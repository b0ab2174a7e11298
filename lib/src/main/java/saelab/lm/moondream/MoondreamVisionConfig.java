package saelab.lm.moondream;

/**
 * The {@code vision} section of a moondream2 {@code config.json} ({@code VisionConfig} of the
 * reference {@code moondream/torch/config.py}, github.com/vikhyat/moondream at 44146f1), with its
 * defaults (the real moondream2 values) for absent fields. Constraints are checked by
 * {@link MoondreamConfig#read}.
 *
 * @param encDim        encoder width D
 * @param encPatchSize  patch side P in pixels
 * @param encNLayers    encoder blocks; also the side of the pooled feature grid (the reference pools to enc_n_layers squared)
 * @param encFfDim      encoder MLP width
 * @param encNHeads     encoder attention heads
 * @param projOutDim    projection output width (the text model's width)
 * @param cropSize      crop side in pixels
 * @param inChannels    image channels (3, RGB)
 * @param maxCrops      most local crops per image
 * @param overlapMargin crop overlap margin in patches, on each side
 * @param projInnerDim  projection hidden width
 */
public record MoondreamVisionConfig(int encDim, int encPatchSize, int encNLayers, int encFfDim, int encNHeads, int projOutDim, int cropSize,
                                    int inChannels, int maxCrops, int overlapMargin, int projInnerDim) {

    /** The reference defaults (moondream2's real sizes). */
    public static final MoondreamVisionConfig DEFAULTS = new MoondreamVisionConfig(1152, 14, 27, 4304, 16, 2048, 378, 3, 12, 4, 8192);

    /** Patches per crop side (crop_size / enc_patch_size). */
    public int gridSide() {
        return cropSize / encPatchSize;
    }

    /** Patches per crop (the square of {@link #gridSide()}). */
    public int patchesPerCrop() {
        return gridSide() * gridSide();
    }

    /** The overlap margin in pixels (overlap_margin * enc_patch_size), on each side of a local crop. */
    public int marginPixels() {
        return overlapMargin * encPatchSize;
    }

    /** The stride between local crops in pixels: the crop minus both margins ({@code crop_window_size} of the reference). */
    public int cropWindowPixels() {
        return (gridSide() - 2 * overlapMargin) * encPatchSize;
    }

    /** Width of one row of features the projection consumes: the global and the pooled local features side by side (2 D). */
    public int projectionInputDim() {
        return 2 * encDim;
    }
}

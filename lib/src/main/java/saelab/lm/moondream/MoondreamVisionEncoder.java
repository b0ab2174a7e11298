package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import saelab.model.NormWeights;
import saelab.model.PatchEmbedding;
import saelab.model.TransformerBlock;

/**
 * moondream2's vision encoder, {@code vision_encoder} of the reference ({@code moondream/torch/vision.py},
 * github.com/vikhyat/moondream at 44146f1), run on all crops of an image as one batch: P x P patches
 * flattened channel-major (c, py, px) through a linear map, plus a learned position table (no class
 * token), pre-LayerNorm blocks (fused q|k|v, no mask; MLP fc2(gelu_tanh(fc1 h))), then the final
 * {@code post_ln} on every token. The blocks are {@link TransformerBlock}s of {@code saelab.model}.
 */
public final class MoondreamVisionEncoder {

    private final PatchEmbedding patches;
    private final NDArray positions;
    private final List<TransformerBlock> blocks;
    private final NormWeights postNorm;
    private final int cropSize;
    private final long width;

    /**
     * @param patches   the patch embedding (weight {@code [D, 3 P P]})
     * @param positions {@code [1, T, D]} position table, T = (crop / P)^2
     * @param blocks    the encoder blocks
     * @param postNorm  {@code post_ln}
     * @param cropSize  crop side in pixels
     */
    public MoondreamVisionEncoder(PatchEmbedding patches, NDArray positions, List<TransformerBlock> blocks, NormWeights postNorm, int cropSize) {
        this.patches = patches;
        this.positions = positions;
        this.blocks = List.copyOf(blocks);
        this.postNorm = postNorm;
        this.cropSize = cropSize;
        this.width = positions.getShape().get(2);
    }

    /** Number of blocks. */
    public int depth() {
        return blocks.size();
    }

    /** Encoder width D. */
    public long width() {
        return width;
    }

    /** Tokens per crop, T. */
    public long tokensPerCrop() {
        return positions.getShape().get(1);
    }

    /**
     * Encodes every crop.
     *
     * @param crops {@code [N, 3, S, S]} normalised crops ({@link CropSet#normalised}), global crop first
     * @return {@code [N, T, D]} after {@code post_ln}, on the manager of {@code crops}
     * @throws IllegalArgumentException for another shape
     */
    public NDArray encode(NDArray crops) {
        Shape s = crops.getShape();
        if (s.dimension() != 4 || s.get(0) < 1 || s.get(1) != 3 || s.get(2) != cropSize || s.get(3) != cropSize) {
            throw new IllegalArgumentException("crops have shape " + Arrays.toString(s.getShape()) + "; expected [crops, 3, " + cropSize + ", "
                    + cropSize + "] (the global crop and the local crops)");
        }
        NDArray x;
        try (NDArray embedded = patches.apply(crops)) {
            x = embedded.add(positions);
        }
        for (TransformerBlock block : blocks) {
            NDArray next = block.forward(x, null);
            x.close();
            x = next;
        }
        NDArray out = postNorm.apply(x);
        x.close();
        if (out.getManager() != crops.getManager()) {
            out.attach(crops.getManager());
        }
        return out;
    }
}

package saelab.heads;

import ai.djl.ndarray.NDArray;
import saelab.model.AttentionPoolHead;
import saelab.model.ClsPostNormHead;
import saelab.model.NormedClsHead;
import saelab.model.VisionHead;
import saelab.model.VisionOutput;

/**
 * The final-normed token sequence of a forward pass, what a capture stores as layer {@code final} (the final
 * norm applied to every token of the last block's output): DINOv2, open_clip and SigLIP return it as
 * {@code lastHiddenState}; Hugging Face CLIP returns the raw last block there, so its {@code post_layernorm} is
 * applied here.
 */
public final class FinalFeatures {

    private FinalFeatures() {}

    /**
     * {@code [B, T, D]} final-normed tokens of {@code out}, computed by the tower whose head is {@code head}
     * (a new array for CLIP, else {@code out.lastHiddenState()} itself).
     *
     * @throws IllegalArgumentException when {@code out} has no {@code lastHiddenState} (a forward that stopped early)
     */
    public static NDArray tokens(VisionOutput out, VisionHead head) {
        if (out.lastHiddenState() == null) {
            throw new IllegalArgumentException("the forward pass stopped before the final norm; run the whole tower for a task head");
        }
        return switch (head) {
            case ClsPostNormHead h -> h.normAll(out.lastHiddenState());
            case NormedClsHead h -> out.lastHiddenState();
            case AttentionPoolHead h -> out.lastHiddenState();
        };
    }
}

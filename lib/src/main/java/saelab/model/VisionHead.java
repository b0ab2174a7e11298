package saelab.model;

import ai.djl.ndarray.NDArray;

/**
 * What a vision tower does after its last block: the final norm, pooling and projection, which
 * differ between model families. Implementations: {@link NormedClsHead} (DINOv2, open_clip),
 * {@link ClsPostNormHead} (Hugging Face CLIP), {@link AttentionPoolHead} (SigLIP's MAP head).
 */
public sealed interface VisionHead permits NormedClsHead, ClsPostNormHead, AttentionPoolHead {

    /**
     * The head's outputs.
     *
     * @param lastHiddenState {@code [B, T, D]} the token sequence as the reference returns it (may be the input array itself)
     * @param pooled          {@code [B, D]} pooled output before any projection
     * @param embeds          {@code [B, E]} projected image embedding (may be {@code pooled} itself), or null when the model has none
     */
    record Output(NDArray lastHiddenState, NDArray pooled, NDArray embeds) {}

    /** Applies the head to {@code x} {@code [B, T, D]}, the output of the last block. */
    Output apply(NDArray x);

    /** The final norm applied to every token (for models whose reference leaves the sequence raw, the norm its pooling uses). */
    NDArray normAll(NDArray x);
}

package saelab.toy;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The activations of one training-forward pass of a toy vision tower, with the semantics of
 * {@link saelab.model.VisionOutput} (blocks 0-based, resid_post before any final norm).
 *
 * @param embeddings      {@code [B, T, D]} resid_pre[0] (after CLIP's {@code pre_layrnorm})
 * @param blocks          resid_post[l] of every block l, {@code [B, T, D]} each
 * @param lastHiddenState {@code [B, T, D]}: CLIP the last block's raw output, DINOv2 the final LayerNorm on every token
 * @param pooled          {@code [B, D]}: CLIP {@code post_layernorm(CLS)}, DINOv2 the normed CLS
 * @param imageEmbeds     {@code [B, E]} CLIP's projected embedding, or null (DINOv2)
 */
record ToyVisionActivations(NDArray embeddings, List<NDArray> blocks, NDArray lastHiddenState, NDArray pooled, NDArray imageEmbeds) {}

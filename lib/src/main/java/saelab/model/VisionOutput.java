package saelab.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import saelab.store.TokenLayout;

/**
 * The activations of one vision-tower forward pass. Block indices are 0-based: {@code blocks.get(l)}
 * is resid_post[l], the output of block l before any final norm. Arrays live on the input's
 * NDManager; some may be the same array (e.g. Hugging Face CLIP's {@code lastHiddenState} is the
 * last block's output, SigLIP's {@code imageEmbeds} is {@code pooled}).
 *
 * @param embeddings      {@code [B, T, D]} resid_pre[0]: patch (+ class) + position embeddings,
 *                        registers inserted, after the pre-norm where the model has one
 * @param blocks          requested resid_post[l], {@code [B, T, D]} each, by block index
 * @param lastHiddenState {@code [B, T, D]} as the reference defines it (see the family's head)
 * @param pooled          {@code [B, D]} pooled output before projection
 * @param imageEmbeds     {@code [B, E]} projected image embedding, or null (DINOv2)
 * @param layout          token positions for this input size
 */
public record VisionOutput(NDArray embeddings, Map<Integer, NDArray> blocks, NDArray lastHiddenState, NDArray pooled,
                           NDArray imageEmbeds, TokenLayout layout) {}

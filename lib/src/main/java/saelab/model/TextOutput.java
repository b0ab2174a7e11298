package saelab.model;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * The activations of one text-tower forward pass; block indices are 0-based, {@code blocks.get(l)}
 * is resid_post[l] before the final norm.
 *
 * @param embeddings      {@code [B, T, D]} token + position embeddings (resid_pre[0])
 * @param blocks          requested resid_post[l] by block index
 * @param lastHiddenState {@code [B, T, D]} final LayerNorm on every token
 * @param pooled          {@code [B, D]} the pooled token (SigLIP: after its linear head)
 * @param textEmbeds      {@code [B, E]} projected text embedding (may be {@code pooled} itself)
 * @param pooledPositions the pooled token's position in each row
 */
public record TextOutput(NDArray embeddings, Map<Integer, NDArray> blocks, NDArray lastHiddenState, NDArray pooled, NDArray textEmbeds,
                         int[] pooledPositions) {}

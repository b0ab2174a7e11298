package saelab.toy;

import ai.djl.ndarray.NDArray;

/**
 * The outputs of one training-forward pass of the toy CLIP text tower ({@link saelab.model.TextOutput} semantics).
 *
 * @param lastHiddenState {@code [B, T, D]} after {@code final_layer_norm}
 * @param pooled          {@code [B, D]} the normed token at each row's first end-of-text id
 * @param textEmbeds      {@code [B, E]} {@code pooled} projected by {@code text_projection}
 */
record ToyTextActivations(NDArray lastHiddenState, NDArray pooled, NDArray textEmbeds) {}

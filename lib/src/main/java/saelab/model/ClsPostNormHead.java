package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Hugging Face CLIP's vision head ({@code CLIPVisionTransformer}): the token sequence is returned
 * raw (no final norm), pooled = {@code post_layernorm} of the class token, image embedding =
 * pooled W^T ({@code visual_projection}, no bias).
 *
 * @param norm       {@code post_layernorm}
 * @param projection {@code visual_projection}, or null ({@code CLIPVisionModel})
 */
public record ClsPostNormHead(NormWeights norm, LinearWeights projection) implements VisionHead {

    @Override
    public Output apply(NDArray x) {
        NDArray pooled;
        try (NDArray cls = x.get(new NDIndex(":, 0, :"))) {
            pooled = norm.apply(cls);
        }
        return new Output(x, pooled, projection == null ? null : projection.apply(pooled));
    }

    @Override
    public NDArray normAll(NDArray x) {
        return norm.apply(x);
    }
}

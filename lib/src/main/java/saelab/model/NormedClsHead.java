package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Final LayerNorm on every token, pooled = the normed class token, optionally projected: Hugging
 * Face DINOv2 ({@code layernorm}, no projection) and open_clip's {@code VisionTransformer}
 * ({@code ln_post} with {@code final_ln_after_pool=False}, then {@code @ proj}).
 *
 * @param norm       the final norm
 * @param projection the image projection ({@code [E, D]} layout), or null
 */
public record NormedClsHead(NormWeights norm, LinearWeights projection) implements VisionHead {

    @Override
    public Output apply(NDArray x) {
        NDArray last = norm.apply(x);
        NDArray pooled = last.get(new NDIndex(":, 0, :"));
        return new Output(last, pooled, projection == null ? null : projection.apply(pooled));
    }

    @Override
    public NDArray normAll(NDArray x) {
        return norm.apply(x);
    }
}

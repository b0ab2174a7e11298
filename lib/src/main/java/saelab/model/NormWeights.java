package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * LayerNorm over the last axis (Ba, Kiros and Hinton 2016): (x - mean) / sqrt(var + eps) * gamma +
 * beta with the biased variance, as {@code torch.nn.LayerNorm}; applied with libtorch's fused kernel.
 *
 * @param gamma {@code [D]}
 * @param beta  {@code [D]}
 * @param eps   added to the variance
 */
public record NormWeights(NDArray gamma, NDArray beta, float eps) {

    /** Normalises {@code x} {@code [..., D]}. */
    public NDArray apply(NDArray x) {
        return LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, beta, eps).singletonOrThrow();
    }
}

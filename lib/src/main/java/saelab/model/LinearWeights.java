package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/**
 * A linear map y = x W^T + b in PyTorch's {@code nn.Linear} layout, applied with libtorch's fused
 * {@code linear}.
 *
 * @param weight {@code [out, in]}
 * @param bias   {@code [out]}, or null for none
 */
public record LinearWeights(NDArray weight, NDArray bias) {

    /** Applies the map to {@code x} {@code [..., in]}, giving {@code [..., out]}. */
    public NDArray apply(NDArray x) {
        return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).singletonOrThrow();
    }
}

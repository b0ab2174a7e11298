package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Root-mean-square layer norm (Zhang and Sennrich 2019) as transformers 4.45.2 {@code LlamaRMSNorm} /
 * {@code Qwen2RMSNorm}: in float32, x * rsqrt(mean(x^2) + eps), cast back to the input dtype, then
 * times the weight.
 *
 * @param weight {@code [D]}
 * @param eps    added to the mean square
 */
public record RmsNorm(NDArray weight, float eps) {

    /** Normalises {@code x} {@code [..., D]} over its last axis; the result is a new array on {@code x}'s manager. */
    public NDArray apply(NDArray x) {
        DataType dt = x.getDataType();
        NDArray x32 = dt == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
        NDArray normed;
        try (NDArray meanSquare = x32.square().mean(new int[] {x32.getShape().dimension() - 1}, true);
             NDArray root = meanSquare.addi(eps).sqrt()) {
            normed = x32.div(root);
        }
        if (x32 != x) {
            x32.close();
            NDArray cast = normed.toType(dt, false);
            normed.close();
            normed = cast;
        }
        return normed.muli(weight);
    }

    /**
     * {@link #apply} on a float32 {@code x} with {@code eps} given as a scalar array on the weights' device: the same
     * numbers, without making a scalar array on each call (a copy through a direct buffer, the slowest part of a
     * one-token step).
     */
    NDArray apply(NDArray x, NDArray epsScalar) {
        NDArray normed;
        try (NDArray square = x.square();
             NDArray meanSquare = square.mean(new int[] {x.getShape().dimension() - 1}, true);
             NDArray root = meanSquare.addi(epsScalar).sqrt()) {
            normed = x.div(root);
        }
        return normed.muli(weight);
    }
}

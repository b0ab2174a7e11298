package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import saelab.model.ActivationFn;

/**
 * The differentiable operations of the toy training forward, as plain libtorch calls through DJL. None works
 * in place: autograd needs the saved inputs of every op (the forward of {@code saelab.model} folds weights and
 * updates arrays in place, which is faster for inference and wrong for training).
 */
final class ToyOps {

    private static final float QUICK_GELU_ALPHA = 1.702f;

    private ToyOps() {}

    /**
     * A scalar in memory that libtorch allocated, on {@code like}'s manager. Use it instead of DJL's
     * {@code mul(Number)}, {@code div(Number)} and the like on any array that needs a gradient: those wrap the
     * number in a Java direct buffer and close the wrapper right after the op, while autograd keeps the scalar
     * for the backward pass; once the garbage collector frees the buffer, the backward pass reads freed memory
     * (measured: random NaN losses and runs that drift apart, depending on when the collector ran).
     */
    static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType());
    }

    /** {@code x W^T + b}: {@code x [..., in]}, {@code w [out, in]}, {@code b [out]} or null. */
    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return (b == null ? Linear.linear(x, w) : Linear.linear(x, w, b)).singletonOrThrow();
    }

    /** LayerNorm over the last axis (biased variance), {@code gamma} and {@code beta} of shape {@code [D]}. */
    static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, float eps) {
        return LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, beta, eps).singletonOrThrow();
    }

    /**
     * The MLP non-linearity: exact GELU (libtorch's erf kernel, as {@link ActivationFn#GELU}) or quick GELU,
     * {@code x * sigmoid(1.702 x)} (OpenAI CLIP).
     */
    static NDArray activation(ActivationFn fn, NDArray x) {
        return switch (fn) {
            case GELU -> Activation.gelu(x);
            case QUICK_GELU -> x.mul(Activation.sigmoid(x.mul(scalar(x, QUICK_GELU_ALPHA))));
            case GELU_TANH -> throw new IllegalArgumentException("the toy backbones use gelu or quick_gelu, not " + fn);
        };
    }

    /** {@code x / ||x||_2} along the last axis, as the references divide by {@code x.norm(dim=-1, keepdim=True)}. */
    static NDArray l2normalize(NDArray x) {
        return x.div(x.square().sum(new int[] {-1}, true).sqrt());
    }

    /**
     * Image patches as rows: {@code pixels [B, C, H, W]} to {@code [B, (H/P)(W/P), C*P*P]}, patches row-major
     * over the grid and each patch channel-major ({@code c, py, px}), the order of a flattened conv weight
     * {@code [D, C, P, P]}, so that a linear map with that weight is the strided convolution.
     */
    static NDArray patchify(NDArray pixels, int patch) {
        Shape s = pixels.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long gh = s.get(2) / patch;
        long gw = s.get(3) / patch;
        return pixels.reshape(b, c, gh, patch, gw, patch).transpose(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, c * patch * patch);
    }
}

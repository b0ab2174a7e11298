package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import saelab.model.ActivationFn;
import saelab.model.LinearWeights;

/**
 * moondream2's vision projection, the MLP of {@code vision_projection} ({@code moondream/torch/vision.py},
 * github.com/vikhyat/moondream at 44146f1): fc2(gelu_tanh(fc1 x)) from the {@code [T, 2 D]} features
 * (global crop features beside the pooled local features) to {@code [T, text dim]} image embeddings.
 *
 * @param fc1 {@code [inner, 2 D]} with bias
 * @param fc2 {@code [text dim, inner]} with bias
 */
public record MoondreamProjection(LinearWeights fc1, LinearWeights fc2) {

    /** Input width, 2 D. */
    public long inputDim() {
        return fc1.weight().getShape().get(1);
    }

    /** Output width, the text model's width. */
    public long outputDim() {
        return fc2.weight().getShape().get(0);
    }

    /**
     * Projects {@code features} {@code [..., 2 D]} to {@code [..., text dim]}.
     *
     * @throws IllegalArgumentException when the last axis is not 2 D
     */
    public NDArray apply(NDArray features) {
        Shape s = features.getShape();
        if (s.dimension() < 1 || s.get(s.dimension() - 1) != inputDim()) {
            throw new IllegalArgumentException("projection input has shape " + Arrays.toString(s.getShape()) + "; expected [..., " + inputDim()
                    + "] (global and pooled local features side by side)");
        }
        try (NDArray hidden = fc1.apply(features); NDArray act = ActivationFn.GELU_TANH.apply(hidden)) {
            return fc2.apply(act);
        }
    }
}

package saelab.toy;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * A toy backbone under training in one Hugging Face layout: its parameters (keyed by checkpoint names), its
 * {@code config.json} and {@code preprocessor_config.json}, and the differentiable vision forward. Call the
 * forward inside an {@link ai.djl.ndarray.NDScope}: intermediate arrays are left for the scope to close.
 */
sealed interface ToyModel extends AutoCloseable permits ToyClipModel, ToyDinoModel {

    /** Which backbone. */
    ToyBackboneKind kind();

    /** The sizes. */
    ToyArchitecture architecture();

    /** The trainable parameters, exactly the tensors of {@code model.safetensors}. */
    ToyParameters parameters();

    /** The contents of {@code config.json}. */
    Map<String, Object> config();

    /** The contents of {@code preprocessor_config.json}. */
    Map<String, Object> preprocessorConfig();

    /**
     * The vision forward.
     *
     * @param pixels {@code [B, 3, S, S]} normalised pixels
     * @param mask   {@code [B, N, 1]} 1 where a patch embedding is replaced by the mask token, else 0; null for
     *               none (only DINOv2 has a mask token)
     */
    ToyVisionActivations vision(NDArray pixels, NDArray mask);

    @Override
    default void close() {
        parameters().close();
    }
}

package saelab.lm.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import saelab.model.ActivationFn;
import saelab.model.Checkpoint;
import saelab.model.LinearWeights;

/**
 * LLaVA's multi-modal projector ({@code LlavaMultiModalProjector} of transformers 4.45.2): {@code linear_1}
 * (vision width to text width, with bias), the activation ({@code projector_hidden_act}, exact GELU in every
 * llava-hf checkpoint), {@code linear_2} (text width to text width, with bias), applied to each selected vision
 * token.
 *
 * @param first      {@code linear_1}: weight {@code [D_text, D_vision]}, bias {@code [D_text]}
 * @param activation the non-linearity between the two
 * @param second     {@code linear_2}: weight {@code [D_text, D_text]}, bias {@code [D_text]}
 */
public record LlavaProjector(LinearWeights first, ActivationFn activation, LinearWeights second) {

    /**
     * Reads {@code <prefix>linear_1.{weight,bias}} and {@code <prefix>linear_2.{weight,bias}} in float32 onto {@code manager}.
     *
     * @throws IllegalArgumentException when a tensor is missing or has another shape, naming the file and the tensor
     */
    public static LlavaProjector read(Checkpoint ckpt, String prefix, long visionWidth, long textWidth, ActivationFn activation,
                                      NDManager manager) {
        String a = prefix + "linear_1.";
        String b = prefix + "linear_2.";
        return new LlavaProjector(
                new LinearWeights(ckpt.take(a + "weight", manager, DataType.FLOAT32, textWidth, visionWidth),
                        ckpt.take(a + "bias", manager, DataType.FLOAT32, textWidth)),
                activation,
                new LinearWeights(ckpt.take(b + "weight", manager, DataType.FLOAT32, textWidth, textWidth),
                        ckpt.take(b + "bias", manager, DataType.FLOAT32, textWidth)));
    }

    /** The vision width the projector reads. */
    public long visionWidth() {
        return first.weight().getShape().get(1);
    }

    /** The language model's width the projector writes. */
    public long textWidth() {
        return second.weight().getShape().get(0);
    }

    /**
     * Projects vision features.
     *
     * @param features {@code [..., D_vision]}
     * @return {@code [..., D_text]}, on {@code features}' manager
     */
    public NDArray apply(NDArray features) {
        NDArray out;
        try (NDArray h = first.apply(features); NDArray g = activation.apply(h)) {
            out = second.apply(g);
        }
        out.attach(features.getManager());
        return out;
    }
}

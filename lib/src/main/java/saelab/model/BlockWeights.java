package saelab.model;

import ai.djl.ndarray.NDArray;

/**
 * The parameters of one pre-LayerNorm transformer block as a checkpoint stores them, after the
 * loader has put q, k and v into one matrix (rows q, then k, then v, as open_clip's
 * {@code in_proj_weight}). {@link TransformerBlock} folds the attention scale and the layer scales
 * into these.
 *
 * @param norm1    LayerNorm before attention
 * @param qkv      {@code [3D, D]} and {@code [3D]} (bias may be null)
 * @param out      attention output projection {@code [D, D]}
 * @param scale1   LayerScale of the attention branch {@code [D]} (DINOv2), or null
 * @param norm2    LayerNorm before the MLP
 * @param fc1      first MLP layer {@code [F, D]} (SwiGLU: {@code [2F, D]}, halves x1 then x2)
 * @param fc2      second MLP layer {@code [D, F]}
 * @param scale2   LayerScale of the MLP branch {@code [D]}, or null
 * @param act      MLP activation (ignored for SwiGLU)
 * @param mlp      the MLP's form: fc2(act(fc1 h)), or DINOv2-giant's SwiGLU fc2(silu(x1) * x2)
 * @param heads    attention heads; head h owns features {@code [h*hd, (h+1)*hd)}
 */
public record BlockWeights(NormWeights norm1, LinearWeights qkv, LinearWeights out, NDArray scale1, NormWeights norm2,
                           LinearWeights fc1, LinearWeights fc2, NDArray scale2, ActivationFn act, Mlp mlp, int heads) {

    /** The form of a block's MLP. */
    public enum Mlp {
        /** {@code fc2(act(fc1 h))}, the MLP of every ViT here but DINOv2-giant. */
        PLAIN,
        /** {@code fc2(silu(x1) * x2)} with {@code [x1, x2] = fc1 h} split in halves (DINOv2's {@code Dinov2SwiGLUFFN}); act is ignored. */
        SWIGLU
    }
}

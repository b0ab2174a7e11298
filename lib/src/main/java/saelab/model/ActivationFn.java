package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Locale;

/**
 * The MLP non-linearities of the supported encoders, by their Hugging Face {@code hidden_act} names.
 * <ul>
 *   <li>{@link #GELU}: exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (Hendrycks and Gimpel 2016), libtorch's kernel.</li>
 *   <li>{@link #QUICK_GELU}: x sigmoid(1.702 x), the approximation of OpenAI CLIP (Radford et al. 2021).</li>
 *   <li>{@link #GELU_TANH}: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), PyTorch
 *       {@code gelu(approximate="tanh")}, used by SigLIP; DJL has no call for it, so it is composed here.</li>
 * </ul>
 */
public enum ActivationFn {
    GELU,
    QUICK_GELU,
    GELU_TANH;

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    /**
     * The activation called {@code name} in a config ({@code gelu}, {@code quick_gelu},
     * {@code gelu_pytorch_tanh}, {@code gelu_new}).
     *
     * @throws IllegalArgumentException naming {@code where} for an unsupported name
     */
    public static ActivationFn fromHf(String name, String where) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gelu" -> GELU;
            case "quick_gelu" -> QUICK_GELU;
            case "gelu_pytorch_tanh", "gelu_new", "gelu_fast" -> GELU_TANH;
            default -> throw new IllegalArgumentException(where + " is '" + name + "'; expected gelu, quick_gelu or gelu_pytorch_tanh");
        };
    }

    /** Applies the activation elementwise; the result is a new array. */
    public NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> Activation.gelu(x);
            case QUICK_GELU -> {
                NDArray g;
                try (NDArray s = x.mul(1.702f)) {
                    g = Activation.sigmoid(s);
                }
                yield g.muli(x);
            }
            case GELU_TANH -> {
                NDArray th;
                try (NDArray inner = x.pow(3)) {
                    inner.muli(0.044715f).addi(x).muli(SQRT_2_OVER_PI);
                    th = inner.tanh();
                }
                yield th.addi(1f).muli(x).muli(0.5f);
            }
        };
    }
}

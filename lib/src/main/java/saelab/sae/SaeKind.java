package saelab.sae;

import java.util.Locale;

/** The activation function (and sparsity mechanism) of an SAE. */
public enum SaeKind {
    /**
     * ReLU with an L1 penalty on the codes (the paper's SAE; Bricken et al., "Towards
     * Monosemanticity", 2023): {@code f = relu((x - b_dec) W_enc + b_enc)}.
     */
    RELU,
    /**
     * TopK (Gao et al., "Scaling and evaluating sparse autoencoders", 2024): keep the k largest
     * pre-activations of each row (after ReLU), zero the rest; no L1 penalty.
     */
    TOPK;

    /** Parses {@code relu} or {@code topk}; {@code source} names the option for the error. */
    public static SaeKind parse(String text, String source) {
        for (SaeKind k : values()) {
            if (k.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected relu or topk"
                + " (batchtopk, jumprelu and matryoshka are not implemented yet)");
    }

    /** The lower-case name. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package saelab.sae;

import java.util.Locale;

/** The activation function (and sparsity mechanism) of an SAE. */
public enum SaeKind {
    /**
     * ReLU with an L1 penalty on the codes (the paper's SAE; Bricken et al., "Towards
     * Monosemanticity", 2023): {@code f = relu(pre)}, loss = MSE + λ · mean_b Σ_i f_bi.
     */
    RELU,
    /**
     * TopK (Gao et al., "Scaling and evaluating sparse autoencoders", 2024): keep the k largest
     * pre-activations of each row (after ReLU), zero the rest; no sparsity penalty.
     */
    TOPK,
    /**
     * BatchTopK (Bussmann, Leask and Nanda, "BatchTopK Sparse Autoencoders", 2024): during training
     * keep the k·B largest (post-ReLU) pre-activations of the whole batch, so rows share a budget of k
     * on average; at inference a single learned threshold θ replaces the batch selection,
     * {@code f = pre · [pre > θ]}, with θ an exponential moving average of the smallest value kept.
     */
    BATCHTOPK,
    /**
     * JumpReLU (Rajamanoharan et al., "Jumping Ahead: Improving Reconstruction Fidelity with JumpReLU
     * Sparse Autoencoders", 2024): {@code f = pre · H(pre − θ)} with a learned threshold θ_i per
     * latent, loss = MSE + λ · mean_b Σ_i H(pre_bi − θ_i), trained with straight-through estimators
     * (rectangle kernel of bandwidth ε) for the gradients with respect to θ.
     */
    JUMPRELU;

    /** Reads a kind from JSON (any case). */
    @com.fasterxml.jackson.annotation.JsonCreator
    static SaeKind fromJson(String text) {
        return parse(text, "kind");
    }

    /** Parses a kind name, case-insensitively; {@code source} names the option or field for the error. */
    public static SaeKind parse(String text, String source) {
        for (SaeKind k : values()) {
            if (k.name().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException(source + " is '" + text + "'; expected relu, topk, batchtopk or jumprelu"
                + " (a Matryoshka objective is an option of topk and batchtopk: --matryoshka)");
    }

    /** The lower-case name (also the JSON form). */
    @com.fasterxml.jackson.annotation.JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the kind keeps a fixed number of latents per row or batch (TopK, BatchTopK). */
    public boolean selectsTopK() {
        return this == TOPK || this == BATCHTOPK;
    }

    /** Whether the checkpoint holds a {@code threshold} tensor (JumpReLU, BatchTopK). */
    public boolean hasThreshold() {
        return this == JUMPRELU || this == BATCHTOPK;
    }

    /** Whether the loss has a sparsity penalty weighted by the config's {@code l1} (ReLU: L1, JumpReLU: L0). */
    public boolean hasPenalty() {
        return this == RELU || this == JUMPRELU;
    }
}

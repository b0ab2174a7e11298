package saelab.intervene;

/**
 * How {@link EditSession} computes the edited activations. Both give the same x' up to float32 rounding; see
 * {@link EditSession} for the algebra.
 */
public enum SpliceForm {
    /**
     * The fast path: x' = x + Σᵢ (vᵢ − fᵢ(x)) W_dec[i] on the selected tokens, with fᵢ from the edited latents' encoder
     * rows only (ReLU, JumpReLU, BatchTopK with a threshold) or from the full codes cached once per image (TopK).
     */
    DELTA,
    /**
     * The reference path of the paper's code, recomputed for every edit: encode every token, keep the error
     * e = x − decode(f), overwrite the edited codes, decode, add the error back.
     */
    FULL
}

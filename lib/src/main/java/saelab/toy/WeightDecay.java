package saelab.toy;

/** Whether AdamW's decoupled weight decay applies to a parameter (weight matrices yes; biases, norms, tokens, scales no). */
enum WeightDecay {
    /** {@code p <- p (1 - lr wd)} before the Adam step. */
    APPLIED,
    /** The Adam step alone. */
    EXEMPT
}

package saelab.sae;

/**
 * Which implementation of the SAE gradients a training step uses (see {@link SaeGradients}).
 */
public enum GradientMath {
    /** The sparse Java kernels where they apply (TopK and BatchTopK on the CPU), the dense NDArray math elsewhere. */
    SPARSE_WHERE_APPLIES,
    /** The dense, device-independent NDArray math everywhere (for comparisons with the sparse kernels). */
    DENSE
}

package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * The encoder and decoder rows of a few latents of an {@link Sae}, copied out so that their codes can be
 * computed without the full encode: for n latents a {@code [N, d_model] × [d_model, n]} product instead of
 * {@code [N, d_model] × [d_model, d_sae]}.
 *
 * <p>{@link #codes} equals the columns {@code latents} of {@link Sae#encode} (up to float32 summation order) for the
 * kinds whose code of a latent depends on that latent's own pre-activation alone ({@link #perLatentCodes()}): ReLU
 * {@code f = relu(pre)}, JumpReLU {@code f = pre · [pre > θ_i]}, and BatchTopK at inference once its threshold is
 * estimated, {@code f = pre · [pre > max(θ, 0)]} (a JumpReLU with one shared threshold). TopK, and BatchTopK before
 * its threshold exists, select among all latents of a row, so their codes need the full encode.
 *
 * <p>Owned by the manager given to {@link Sae#slice}; arrays computed from an input live on the input's manager.
 */
public final class SaeSlice {

    private final SaeKind kind;
    private final int[] latents;
    private final NDArray encoderRows;
    private final NDArray encoderBias;
    private final NDArray decoderRows;
    private final NDArray decoderBias;
    private final boolean centered;
    /** JumpReLU: θ_i of each latent [n]; BatchTopK: max(θ, 0) [n]; else null. */
    private final NDArray threshold;

    SaeSlice(Sae sae, int[] latents, NDManager manager) {
        SaeConfig c = sae.config();
        for (int i : latents) {
            if (i < 0 || i >= c.dSae()) {
                throw new IllegalArgumentException("latent " + i + " is outside the SAE's d_sae=" + c.dSae() + " latents (0-based: 0.."
                        + (c.dSae() - 1) + ")");
            }
        }
        this.kind = c.kind();
        this.latents = latents.clone();
        this.centered = c.centered();
        NDArray ids = manager.create(latents);
        NDArray idx = ids.toType(DataType.INT64, false);
        this.encoderRows = owned(sae.wEnc.get(idx), manager);
        this.encoderBias = owned(sae.bEnc.get(idx), manager);
        this.decoderRows = owned(sae.wDec.get(idx), manager);
        this.decoderBias = owned(sae.bDec.duplicate(), manager);
        if (kind == SaeKind.JUMPRELU) {
            this.threshold = owned(sae.logThreshold.get(idx).exp(), manager);
        } else if (kind == SaeKind.BATCHTOPK && !Double.isNaN(sae.batchThreshold)) {
            this.threshold = manager.full(new ai.djl.ndarray.types.Shape(latents.length), (float) Math.max(0, sae.batchThreshold));
        } else {
            this.threshold = null;
        }
        idx.close();
        ids.close();
    }

    private static NDArray owned(NDArray a, NDManager manager) {
        a.attach(manager);
        return a;
    }

    /** The latent ids, 0-based (a copy). */
    public int[] latents() {
        return latents.clone();
    }

    /** Whether {@link #codes} applies: ReLU, JumpReLU, and BatchTopK with an estimated threshold. */
    public boolean perLatentCodes() {
        return kind == SaeKind.RELU || kind == SaeKind.JUMPRELU || (kind == SaeKind.BATCHTOPK && threshold != null);
    }

    /**
     * Codes {@code [N, n]} of these latents for inputs {@code x} {@code [N, d_model]}, on {@code x}'s manager.
     *
     * @throws IllegalStateException when the kind selects among all latents (see {@link #perLatentCodes()})
     */
    public NDArray codes(NDArray x) {
        if (!perLatentCodes()) {
            throw new IllegalStateException("the codes of a " + kind.id() + " SAE" + (kind == SaeKind.BATCHTOPK ? " without an estimated threshold" : "")
                    + " depend on every latent; use Sae.encode");
        }
        NDArray input = centered ? x.sub(decoderBias) : x;
        NDArray pre = Linear.linear(input, encoderRows, encoderBias).singletonOrThrow();
        if (input != x) {
            input.close();
        }
        NDArray out;
        if (threshold == null) {
            out = Activation.relu(pre);
        } else {
            NDArray keep = pre.gt(threshold);
            NDArray mask = keep.toType(DataType.FLOAT32, false);
            out = pre.mul(mask);
            keep.close();
            mask.close();
        }
        pre.close();
        return out;
    }

    /** The decoder rows {@code [n, d_model]} of these latents (owned by the slice; do not close). */
    public NDArray decoderRows() {
        return decoderRows;
    }
}

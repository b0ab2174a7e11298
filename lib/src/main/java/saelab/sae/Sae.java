package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sparse autoencoder's parameters and math, on DJL NDArrays (PyTorch engine).
 *
 * <p>Shapes (internal layout): {@code wEnc} [d_sae, d_model] (encoder rows, so the active rows of a
 * TopK code can be gathered), {@code bEnc} [d_sae], {@code wDec} [d_sae, d_model] (decoder rows, kept
 * at unit norm), {@code bDec} [d_model], and for JumpReLU the trainable {@code logThreshold} [d_sae].
 * Checkpoints store the encoder transposed, [d_model, d_sae].
 *
 * <p>Encoder: {@code pre = (x − b_dec) W_encᵀ + b_enc} (or {@code x W_encᵀ + b_enc} when the config's
 * encoder input is {@code raw}); codes {@code f = σ(pre)} with σ of the {@link SaeKind}; decoder:
 * {@code x̂ = f W_dec + b_dec}.
 *
 * <p>Gradients are written out, not taken from autograd, by one of the two implementations of
 * {@link SaeGradients} (dense on any device, sparse for TopK and BatchTopK on the CPU); dead latents are
 * resampled by {@link NeuronResampling}.
 */
public final class Sae implements AutoCloseable {

    /** Smoothing of BatchTopK's threshold estimate: θ ← β θ + (1 − β) · (smallest kept value of the batch). */
    static final double THRESHOLD_BETA = 0.99;

    private final SaeConfig config;
    final NDManager manager;
    final NDArray wEnc;
    final NDArray bEnc;
    final NDArray wDec;
    final NDArray bDec;
    /** JumpReLU only: log θ per latent (trainable). */
    final NDArray logThreshold;
    /** BatchTopK only: the inference threshold θ (NaN until the first training step). */
    double batchThreshold = Double.NaN;
    /** Gradients in the order of {@link #params()}. */
    final List<NDArray> grads;
    final int[] groupOf;
    private boolean dense;

    /**
     * Result of one forward and backward pass.
     *
     * @param loss     the loss that was differentiated
     * @param mse      mean squared error over batch and dimensions of the full reconstruction
     * @param l1       mean over the batch of the sum of the codes
     * @param l0       mean active latents per row
     * @param aux      the AuxK reconstruction MSE of the residual before weighting (0 without AuxK)
     * @param fired    latents that were active at least once in the batch, [d_sae]
     */
    public record StepResult(double loss, double mse, double l1, double l0, double aux, boolean[] fired) {}

    Sae(SaeConfig config, NDManager manager, NDArray wEnc, NDArray bEnc, NDArray wDec, NDArray bDec, NDArray logThreshold) {
        this.config = config;
        this.manager = manager;
        this.wEnc = wEnc;
        this.bEnc = bEnc;
        this.wDec = wDec;
        this.bDec = bDec;
        this.logThreshold = logThreshold;
        this.grads = params().stream().map(p -> manager.zeros(p.getShape(), p.getDataType())).toList();
        this.groupOf = new int[config.dSae()];
        List<Integer> bounds = config.matryoshka();
        for (int g = 0, i = 0; g < bounds.size(); g++) {
            for (; i < bounds.get(g); i++) {
                groupOf[i] = g;
            }
        }
        this.dense = !onCpu(manager) || !config.kind().selectsTopK();
    }

    /**
     * A new SAE: W_enc and W_dec drawn independently from Kaiming-uniform distributions
     * (bounds sqrt(6 / d_sae) and sqrt(6 / d_model), as PyTorch's {@code kaiming_uniform_} on the
     * reference's [d, F] and [F, d] matrices), biases zero, decoder rows then set to unit norm;
     * JumpReLU thresholds at the config's initial value. Deterministic given {@code config.seed()}.
     * The arrays live on the device of {@code parent}.
     */
    public static Sae initialise(SaeConfig config, NDManager parent) {
        int d = config.dModel();
        int f = config.dSae();
        SplittableRandom rng = new SplittableRandom(config.seed());
        float[] enc = uniform(rng, (long) f * d, Math.sqrt(6.0 / f));
        float[] dec = uniform(rng, (long) f * d, Math.sqrt(6.0 / d));
        float[] threshold = null;
        if (config.kind().hasThreshold()) {
            threshold = new float[f];
            // BatchTopK: NaN = not estimated yet (the first training batch sets it)
            Arrays.fill(threshold, config.kind() == SaeKind.JUMPRELU ? (float) config.initThreshold() : Float.NaN);
        }
        Sae sae = of(config, parent, enc, new float[f], dec, new float[d], threshold);
        sae.normalizeDecoder();
        return sae;
    }

    /**
     * An SAE from given arrays (internal layout: encoder rows [d_sae, d_model]), e.g. a loaded
     * checkpoint; the arrays are copied.
     *
     * @param threshold θ per latent for JumpReLU and BatchTopK (BatchTopK uses the first value;
     *                  NaN there means "not estimated yet"), null for the other kinds
     */
    public static Sae of(SaeConfig config, NDManager parent, float[] wEncRows, float[] bEnc, float[] wDec, float[] bDec,
                         float[] threshold) {
        int d = config.dModel();
        int f = config.dSae();
        if (config.kind().hasThreshold() && (threshold == null || threshold.length != f)) {
            throw new IllegalArgumentException("a " + config.kind().id() + " SAE needs a threshold of length d_sae=" + f);
        }
        NDManager m = parent.newSubManager();
        NDArray logT = null;
        if (config.kind() == SaeKind.JUMPRELU) {
            float[] lt = new float[f];
            for (int i = 0; i < f; i++) {
                if (!(threshold[i] > 0)) {
                    throw new IllegalArgumentException("JumpReLU threshold of latent " + i + " is " + threshold[i]
                            + "; expected > 0");
                }
                lt[i] = (float) Math.log(threshold[i]);
            }
            logT = m.create(lt, new Shape(f));
        }
        Sae sae = new Sae(config, m, m.create(wEncRows, new Shape(f, d)), m.create(bEnc, new Shape(f)),
                m.create(wDec, new Shape(f, d)), m.create(bDec, new Shape(d)), logT);
        if (config.kind() == SaeKind.BATCHTOPK) {
            sae.batchThreshold = threshold[0];
        }
        return sae;
    }

    /** As {@link #of(SaeConfig, NDManager, float[], float[], float[], float[], float[])} for kinds without a threshold. */
    public static Sae of(SaeConfig config, NDManager parent, float[] wEncRows, float[] bEnc, float[] wDec, float[] bDec) {
        return of(config, parent, wEncRows, bEnc, wDec, bDec, null);
    }

    private static boolean onCpu(NDManager m) {
        return ai.djl.Device.Type.CPU.equals(m.getDevice().getDeviceType());
    }

    private static float[] uniform(SplittableRandom rng, long n, double bound) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        }
        return v;
    }

    public SaeConfig config() {
        return config;
    }

    /** The trainable arrays: W_enc, b_enc, W_dec, b_dec, and for JumpReLU log θ. */
    public List<NDArray> params() {
        return logThreshold == null ? List.of(wEnc, bEnc, wDec, bDec) : List.of(wEnc, bEnc, wDec, bDec, logThreshold);
    }

    /** Names of {@link #params()} in the training state. */
    List<String> paramNames() {
        return logThreshold == null ? List.of("W_enc", "b_enc", "W_dec", "b_dec")
                : List.of("W_enc", "b_enc", "W_dec", "b_dec", "log_threshold");
    }

    /**
     * Uses the dense (device-independent) implementation of the gradients even where the sparse CPU
     * kernels apply; always on for devices other than the CPU. For tests and comparisons.
     */
    void useDenseMath(boolean on) {
        this.dense = on || !onCpu(manager) || !config.kind().selectsTopK();
    }

    /** Sets every decoder row to unit L2 norm. */
    public void normalizeDecoder() {
        NDArray norms = wDec.norm(new int[] {1}, true).maximum(1e-8f);
        wDec.divi(norms);
        norms.close();
    }

    /**
     * Removes from each decoder row's gradient its component along the row (the row then moves
     * tangentially to the unit sphere, so a sparsity penalty cannot be lowered by shrinking the decoder).
     */
    void removeParallelGradient() {
        NDArray g = grads.get(2);
        try (NDManager scope = NDManager.subManagerOf(g)) {
            scope.tempAttachAll(g);
            NDArray parallel = g.mul(wDec).sum(new int[] {1}, true);
            g.subi(parallel.mul(wDec));
        }
    }

    /** The gradients of the last {@link #forwardBackward} call, in the order of {@link #params()}. */
    public List<NDArray> gradients() {
        return grads;
    }

    /** The thresholds θ [d_sae] for kinds with one (a copy), else null. */
    public float[] threshold() {
        if (config.kind() == SaeKind.JUMPRELU) {
            return logThreshold.exp().toFloatArray();
        }
        if (config.kind() == SaeKind.BATCHTOPK) {
            float[] t = new float[config.dSae()];
            Arrays.fill(t, (float) batchThreshold);
            return t;
        }
        return null;
    }

    NDArray encoderInput(NDArray x) {
        return config.centered() ? x.sub(bDec) : x;
    }

    /**
     * Codes [B, d_sae] of inputs [B, d_model] at inference (no gradient): ReLU; TopK per row;
     * BatchTopK and JumpReLU by their thresholds (BatchTopK falls back to the batch selection while its
     * threshold is not estimated yet).
     */
    public NDArray encode(NDArray x) {
        NDArray pre = Linear.linear(encoderInput(x), wEnc, bEnc).singletonOrThrow();
        switch (config.kind()) {
            case RELU:
                return Activation.relu(pre);
            case TOPK: {
                NDArray r = Activation.relu(pre);
                NDList top = r.topK(config.k(), 1, true, false);
                return r.zerosLike().scatter(top.get(1), top.get(0), 1);
            }
            case BATCHTOPK:
                if (Double.isNaN(batchThreshold)) {
                    return Activation.relu(pre).mul(batchSelection(Activation.relu(pre)));
                }
                return pre.mul(pre.gt((float) Math.max(0, batchThreshold)).toType(DataType.FLOAT32, false));
            case JUMPRELU: {
                NDArray threshold = logThreshold.exp();
                threshold.attach(pre.getManager()); // made on the SAE's manager; freed with the caller's scope instead
                return pre.mul(pre.gt(threshold).toType(DataType.FLOAT32, false));
            }
            default:
                throw new IllegalStateException("unknown kind " + config.kind());
        }
    }

    /**
     * The encoder and decoder rows of {@code latents} (0-based ids), copied onto {@code manager}, to compute
     * their codes without the full encode where the kind allows it (see {@link SaeSlice}).
     *
     * @throws IllegalArgumentException for a latent outside [0, d_sae)
     */
    public SaeSlice slice(int[] latents, NDManager manager) {
        return new SaeSlice(this, latents, manager);
    }

    /** Reconstructions [B, d_model] of codes [B, d_sae]. */
    public NDArray decode(NDArray codes) {
        return codes.matMul(wDec).add(bDec);
    }

    /** 1 for the k·B largest entries of {@code r} [B, F] that are positive, else 0. */
    NDArray batchSelection(NDArray r) {
        long b = r.getShape().get(0);
        long f = r.getShape().get(1);
        int n = (int) Math.min(b * f, (long) config.k() * b);
        NDArray flat = r.reshape(-1);
        NDList top = flat.topK(n, 0, true, false);
        NDArray mask = flat.zerosLike().scatter(top.get(1), top.get(0).sign(), 0).reshape(b, f);
        return mask;
    }

    /** As {@link #forwardBackward(NDArray, double, boolean[])} with no dead latents. */
    public StepResult forwardBackward(NDArray x, double l1) {
        return forwardBackward(x, l1, null);
    }

    /**
     * One forward and backward pass on a batch [B, d_model]; the gradients are left in
     * {@link #gradients()} (overwritten, not accumulated). BatchTopK also updates its threshold.
     *
     * @param l1   the sparsity coefficient for this step (ignored without a penalty)
     * @param dead latents counted as dead for AuxK (null or all false: no AuxK term)
     */
    public StepResult forwardBackward(NDArray x, double l1, boolean[] dead) {
        boolean aux = config.auxK() > 0 && dead != null && anyTrue(dead);
        return dense ? SaeGradients.dense(this, x, l1, aux ? dead : null) : SaeGradients.sparse(this, x, aux ? dead : null);
    }

    private static boolean anyTrue(boolean[] a) {
        for (boolean v : a) {
            if (v) {
                return true;
            }
        }
        return false;
    }

    void updateBatchThreshold(double smallestKept) {
        if (Double.isNaN(smallestKept)) {
            return;
        }
        batchThreshold = Double.isNaN(batchThreshold) ? smallestKept
                : THRESHOLD_BETA * batchThreshold + (1 - THRESHOLD_BETA) * smallestKept;
    }

    /**
     * Resamples the given latents ({@link NeuronResampling}); the caller resets the optimiser state of these rows.
     *
     * @param latents the latents to resample
     * @param rows    candidate inputs [n, d_model], row-major
     * @param rng     the draw (seeded by the caller for repeatable runs)
     */
    void resample(int[] latents, float[] rows, SplittableRandom rng) {
        NeuronResampling.resample(this, latents, rows, rng);
    }

    /** Copies of the parameters in checkpoint layout (W_enc [d_model, d_sae]). */
    public SaeCheckpoint.Arrays exportArrays() {
        return new SaeCheckpoint.Arrays(wEnc.transpose().toFloatArray(), bEnc.toFloatArray(), wDec.toFloatArray(),
                bDec.toFloatArray(), threshold());
    }

    @Override
    public void close() {
        manager.close();
    }
}

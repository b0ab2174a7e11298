package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
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
 * <p>Gradients are written out, not taken from autograd (autograd cannot express JumpReLU's
 * straight-through estimator, and would spend a product on the input gradient only to sum it for
 * db_dec). Two implementations compute them:
 * <ul>
 *   <li>the <em>dense</em> path, NDArray operations only, so it runs on any device (the GPU path):
 *       products of size B × d × F for the selected codes, one pair per Matryoshka prefix;</li>
 *   <li>the <em>sparse</em> path, the default for TopK and BatchTopK on the CPU: the dense encoder
 *       product and the selection run in libtorch, then {@link SparseKernels} decodes and runs the
 *       whole backward pass over the active latents only, O(B × k × d) instead of O(B × F × d).</li>
 * </ul>
 * Tests check that both give the same gradients, and both against finite differences.
 */
public final class Sae implements AutoCloseable {

    /** Smoothing of BatchTopK's threshold estimate: θ ← β θ + (1 − β) · (smallest kept value of the batch). */
    static final double THRESHOLD_BETA = 0.99;

    private final SaeConfig config;
    private final NDManager manager;
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
    private final int[] groupOf;
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

    private NDArray encoderInput(NDArray x) {
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
            case JUMPRELU:
                return pre.mul(pre.gt(logThreshold.exp()).toType(DataType.FLOAT32, false));
            default:
                throw new IllegalStateException("unknown kind " + config.kind());
        }
    }

    /** Reconstructions [B, d_model] of codes [B, d_sae]. */
    public NDArray decode(NDArray codes) {
        return codes.matMul(wDec).add(bDec);
    }

    /** 1 for the k·B largest entries of {@code r} [B, F] that are positive, else 0. */
    private NDArray batchSelection(NDArray r) {
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
        return dense ? denseStep(x, l1, aux ? dead : null) : sparseStep(x, aux ? dead : null);
    }

    private static boolean anyTrue(boolean[] a) {
        for (boolean v : a) {
            if (v) {
                return true;
            }
        }
        return false;
    }

    private void updateBatchThreshold(double smallestKept) {
        if (Double.isNaN(smallestKept)) {
            return;
        }
        batchThreshold = Double.isNaN(batchThreshold) ? smallestKept
                : THRESHOLD_BETA * batchThreshold + (1 - THRESHOLD_BETA) * smallestKept;
    }

    /**
     * All kinds with NDArray operations. With e_t = x̂_t − x the reconstruction from prefix t (one
     * prefix without Matryoshka), g_t = 2 e_t / (B·d·n) and S_t = Σ_{u ≥ t} g_u: dW_dec[prefix block t]
     * = f_tᵀ S_t, df_t = S_t W_dec,tᵀ (+ λ/B for ReLU); dpre = df ⊙ on (on = the selection mask, or
     * for JumpReLU [pre > θ]) plus the AuxK term; dW_enc = dpreᵀ xc, db_enc = Σ_b dpre,
     * db_dec = Σ_b S_0 − db_enc W_enc (the last term only for a centred encoder input). JumpReLU's
     * θ gets the pseudo-derivatives of Rajamanoharan et al. (2024), eqs. 11–12, with the rectangle kernel
     * K(u) = [|u| < 1/2]: ∂f/∂θ = −(θ/ε) K((pre − θ)/ε) and ∂H/∂θ = −(1/ε) K((pre − θ)/ε); log θ is the
     * parameter, so dlogθ = θ dθ.
     */
    private StepResult denseStep(NDArray x, double l1, boolean[] dead) {
        int b = (int) x.getShape().get(0);
        int d = config.dModel();
        int fDim = config.dSae();
        SaeKind kind = config.kind();
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            NDArray xc = encoderInput(x);
            NDArray pre = Linear.linear(xc, wEnc, bEnc).singletonOrThrow();
            NDArray on;
            NDArray f;
            NDArray theta = null;
            switch (kind) {
                case RELU -> {
                    f = Activation.relu(pre);
                    // float 0/1 masks: float-by-float products are much faster here than mixed boolean ones
                    on = f.sign();
                }
                case TOPK -> {
                    NDArray r = Activation.relu(pre);
                    NDList top = r.topK(config.k(), 1, true, false);
                    on = r.zerosLike().scatter(top.get(1), top.get(0).sign(), 1);
                    f = r.mul(on);
                }
                case BATCHTOPK -> {
                    NDArray r = Activation.relu(pre);
                    on = batchSelection(r);
                    f = r.mul(on);
                    updateBatchThreshold(smallestPositive(f));
                }
                case JUMPRELU -> {
                    theta = logThreshold.exp();
                    on = pre.gt(theta).toType(DataType.FLOAT32, false);
                    f = pre.mul(on);
                }
                default -> throw new IllegalStateException("unknown kind " + kind);
            }
            List<Integer> bounds = config.matryoshka().isEmpty() ? List.of(fDim) : config.matryoshka();
            int n = bounds.size();
            float gScale = 2f / ((float) b * d * n);
            NDArray recon = null;
            List<NDArray> g = new ArrayList<>();
            double mseSum = 0;
            double mseFull = 0;
            NDArray lastErr = null;
            for (int t = 0, lo = 0; t < n; lo = bounds.get(t), t++) {
                int hi = bounds.get(t);
                NDArray part = n == 1 ? f.matMul(wDec) : f.get(":, " + lo + ":" + hi).matMul(wDec.get(lo + ":" + hi));
                recon = recon == null ? part.add(bDec) : recon.add(part);
                NDArray err = recon.sub(x);
                double mseT = err.square().sum().getFloat() / ((double) b * d);
                mseSum += mseT;
                mseFull = mseT;
                lastErr = err;
                g.add(err.mul(gScale));
            }
            for (int t = n - 2; t >= 0; t--) {
                g.set(t, g.get(t).add(g.get(t + 1))); // suffix sums S_t
            }
            List<NDArray> dDec = new ArrayList<>();
            List<NDArray> dfParts = new ArrayList<>();
            for (int t = 0, lo = 0; t < n; lo = bounds.get(t), t++) {
                int hi = bounds.get(t);
                NDArray fT = n == 1 ? f : f.get(":, " + lo + ":" + hi);
                NDArray decT = n == 1 ? wDec : wDec.get(lo + ":" + hi);
                dDec.add(fT.transpose().matMul(g.get(t)));
                dfParts.add(g.get(t).matMul(decT.transpose()));
            }
            NDArray gWDec = n == 1 ? dDec.getFirst() : NDArrays.concat(new NDList(dDec), 0);
            NDArray df = n == 1 ? dfParts.getFirst() : NDArrays.concat(new NDList(dfParts), 1);
            NDArray gDecBias = g.getFirst().sum(new int[] {0});
            double l1Term = f.sum().getFloat() / b;
            double l0 = on.sum().getFloat() / b;
            double penalty = 0;
            if (kind == SaeKind.RELU) {
                if (l1 > 0) {
                    df = df.add((float) (l1 / b));
                }
                penalty = l1 * l1Term;
            }
            NDArray dpre = df.mul(on);
            double auxMse = 0;
            if (dead != null) {
                NDArray deadMask = scope.create(toFloats(dead), new Shape(fDim));
                NDArray r = Activation.relu(pre);
                NDArray candidates = pre.add(deadMask.sub(1f).mul(1e30f)); // alive latents pushed to -1e30
                int kAux = Math.min(config.auxK(), count(dead));
                NDList top = candidates.topK(kAux, 1, true, false);
                NDArray onA = r.zerosLike().scatter(top.get(1), top.get(0).gt(0f).toType(DataType.FLOAT32, false), 1);
                NDArray fa = r.mul(onA);
                NDArray residual = lastErr.neg();                                 // x − x̂ (a constant target)
                NDArray a = fa.matMul(wDec).sub(residual);
                auxMse = a.square().sum().getFloat() / ((double) b * d);
                NDArray ga = a.mul((float) (2 * config.auxCoeff() / ((double) b * d)));
                gWDec = gWDec.add(fa.transpose().matMul(ga));
                dpre = dpre.add(ga.matMul(wDec.transpose()).mul(onA));
            }
            if (kind == SaeKind.JUMPRELU) {
                float eps = (float) config.bandwidth();
                NDArray kernel = pre.sub(theta).abs().lt(eps / 2).toType(DataType.FLOAT32, false);
                NDArray dTheta = df.mul(kernel).sum(new int[] {0}).mul(theta).mul(-1f / eps);
                if (l1 > 0) {
                    dTheta = dTheta.add(kernel.sum(new int[] {0}).mul((float) (-l1 / (b * (double) eps))));
                }
                dTheta.mul(theta).copyTo(grads.get(4));
                penalty = l1 * l0;
            }
            dpre.transpose().matMul(xc).copyTo(grads.get(0));
            NDArray dbEnc = dpre.sum(new int[] {0});
            dbEnc.copyTo(grads.get(1));
            gWDec.copyTo(grads.get(2));
            (config.centered() ? gDecBias.sub(dbEnc.matMul(wEnc)) : gDecBias).copyTo(grads.get(3));
            boolean[] fired = on.sum(new int[] {0}).gt(0f).toBooleanArray();
            double loss = mseSum / n + penalty + config.auxCoeff() * auxMse;
            return new StepResult(loss, mseFull, l1Term, l0, auxMse, fired);
        }
    }

    private static double smallestPositive(NDArray f) {
        try (NDArray pos = f.get(f.gt(0f))) {
            return pos.isEmpty() ? Double.NaN : pos.min().getFloat();
        }
    }

    private static float[] toFloats(boolean[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i] ? 1f : 0f;
        }
        return f;
    }

    private static int count(boolean[] v) {
        int c = 0;
        for (boolean b : v) {
            c += b ? 1 : 0;
        }
        return c;
    }

    /**
     * TopK and BatchTopK on the CPU: dense encoder product and selection in libtorch, then
     * decode, loss and the whole backward pass over the selected latents in {@link SparseKernels}.
     */
    private StepResult sparseStep(NDArray x, boolean[] dead) {
        int b = (int) x.getShape().get(0);
        int d = config.dModel();
        int fDim = config.dSae();
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            NDArray xc = encoderInput(x);
            NDArray pre = Linear.linear(xc, wEnc, bEnc).singletonOrThrow();
            SparseKernels.Slots main;
            if (config.kind() == SaeKind.TOPK) {
                NDList top = pre.topK(config.k(), 1, true, false);
                main = SparseKernels.Slots.perRow(b, config.k(), top.get(1).toLongArray(), relu(top.get(0).toFloatArray()));
            } else {
                int n = (int) Math.min((long) b * fDim, (long) config.k() * b);
                NDList top = Activation.relu(pre).reshape(-1).topK(n, 0, true, false);
                main = SparseKernels.Slots.fromFlat(b, fDim, top.get(1).toLongArray(), top.get(0).toFloatArray());
                updateBatchThreshold(main.smallestPositive());
            }
            SparseKernels.Slots auxSlots = null;
            if (dead != null) {
                NDArray deadMask = scope.create(toFloats(dead), new Shape(fDim));
                int kAux = Math.min(config.auxK(), count(dead));
                NDList top = pre.add(deadMask.sub(1f).mul(1e30f)).topK(kAux, 1, true, false);
                auxSlots = SparseKernels.Slots.perRow(b, kAux, top.get(1).toLongArray(), relu(top.get(0).toFloatArray()));
            }
            pre.close();
            for (NDArray g : grads) {
                g.muli(0f);
            }
            List<Integer> bounds = config.matryoshka().isEmpty() ? List.of(fDim) : config.matryoshka();
            SparseKernels.Result r = SparseKernels.step(b, d, fDim, x.toFloatArray(), bDec.toFloatArray(), config.centered(),
                    bounds, groupOf, main, auxSlots, config.auxCoeff(), Adam.view(wEnc), Adam.view(wDec), Adam.view(grads.get(0)),
                    Adam.view(grads.get(1)), Adam.view(grads.get(2)), Adam.view(grads.get(3)));
            double mseMean = 0;
            for (double m : r.msePerPrefix()) {
                mseMean += m;
            }
            mseMean /= bounds.size();
            double mseFull = r.msePerPrefix()[bounds.size() - 1];
            return new StepResult(mseMean + config.auxCoeff() * r.auxMse(), mseFull, main.sum() / b,
                    (double) main.active() / b, r.auxMse(), main.fired(fDim));
        }
    }

    private static float[] relu(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(v[i], 0f);
        }
        return v;
    }

    /**
     * Resamples the given latents (Bricken et al., "Towards Monosemanticity", 2023, "neuron resampling"):
     * each takes an input row drawn with probability proportional to its squared reconstruction loss;
     * the decoder row becomes that input (minus b_dec where the encoder centres) normalised to unit
     * length, the encoder row the same direction scaled to 0.2 × the mean norm of the live encoder rows,
     * the encoder bias 0. The caller resets the optimiser state of these rows.
     *
     * @param latents the latents to resample
     * @param rows    candidate inputs [n, d_model], row-major
     * @param rng     the draw (seeded by the caller for repeatable runs)
     */
    void resample(int[] latents, float[] rows, SplittableRandom rng) {
        if (latents.length == 0) {
            return;
        }
        int d = config.dModel();
        int n = rows.length / d;
        double[] weight = new double[n];
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(rows, new Shape(n, d));
            float[] err = decode(encode(x)).sub(x).square().sum(new int[] {1}).toFloatArray();
            double total = 0;
            for (int i = 0; i < n; i++) {
                weight[i] = (double) err[i] * err[i];
                total += weight[i];
            }
            float[] encRows = wEnc.toFloatArray();
            float[] decRows = wDec.toFloatArray();
            float[] bEncV = bEnc.toFloatArray();
            float[] bDecV = bDec.toFloatArray();
            boolean[] resampled = new boolean[config.dSae()];
            for (int l : latents) {
                resampled[l] = true;
            }
            double aliveNorm = 0;
            int alive = 0;
            for (int i = 0; i < config.dSae(); i++) {
                if (!resampled[i]) {
                    double s = 0;
                    for (int c = 0; c < d; c++) {
                        s += (double) encRows[i * d + c] * encRows[i * d + c];
                    }
                    aliveNorm += Math.sqrt(s);
                    alive++;
                }
            }
            double encNorm = 0.2 * (alive > 0 ? aliveNorm / alive : 1.0);
            for (int l : latents) {
                int row = draw(weight, total, rng);
                double s = 0;
                float[] v = new float[d];
                for (int c = 0; c < d; c++) {
                    v[c] = rows[row * d + c] - (config.centered() ? bDecV[c] : 0f);
                    s += (double) v[c] * v[c];
                }
                double norm = Math.max(Math.sqrt(s), 1e-8);
                for (int c = 0; c < d; c++) {
                    decRows[l * d + c] = (float) (v[c] / norm);
                    encRows[l * d + c] = (float) (v[c] / norm * encNorm);
                }
                bEncV[l] = 0;
            }
            wEnc.set(java.nio.FloatBuffer.wrap(encRows));
            wDec.set(java.nio.FloatBuffer.wrap(decRows));
            bEnc.set(java.nio.FloatBuffer.wrap(bEncV));
        }
    }

    private static int draw(double[] weight, double total, SplittableRandom rng) {
        if (!(total > 0)) {
            return rng.nextInt(weight.length);
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < weight.length; i++) {
            u -= weight[i];
            if (u < 0) {
                return i;
            }
        }
        return weight.length - 1;
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

package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A sparse autoencoder's parameters and math, on DJL NDArrays (PyTorch engine).
 *
 * <p>Shapes (internal layout): {@code wEnc} [d_sae, d_model] (encoder rows, so the active rows of a
 * TopK code can be gathered), {@code bEnc} [d_sae], {@code wDec} [d_sae, d_model] (decoder rows, kept
 * at unit norm), {@code bDec} [d_model]. Checkpoints store the encoder transposed, [d_model, d_sae].
 *
 * <p>Encoder: {@code f = σ((x - b_dec) W_encᵀ + b_enc)} (the paper-era convention, subtracting b_dec);
 * decoder: {@code x̂ = f W_dec + b_dec}. σ is ReLU, or for TopK ReLU followed by keeping the k
 * largest values of each row.
 *
 * <p>Gradients are written out, not taken from autograd: for ReLU as five dense products (see
 * {@code reluStep}); for TopK only the k active latents of each row take part (the dense encoder
 * product picks them in libtorch, then {@link TopKKernels} decodes and runs the backward pass), so
 * decoding and the whole backward pass cost O(batch × k × d_model) instead of O(batch × d_sae × d_model).
 */
public final class Sae implements AutoCloseable {

    private final SaeConfig config;
    private final NDManager manager;
    final NDArray wEnc;
    final NDArray bEnc;
    final NDArray wDec;
    final NDArray bDec;
    /** Gradients of W_enc, b_enc, W_dec, b_dec (same layout as the parameters). */
    final List<NDArray> grads;

    /**
     * Result of one forward and backward pass.
     *
     * @param loss the loss
     * @param mse  mean squared error over batch and dimensions
     * @param l1   mean over the batch of the sum of the codes
     * @param l0   mean active latents per row
     * @param fired latents that were active at least once in the batch, [d_sae]
     */
    public record StepResult(double loss, double mse, double l1, double l0, boolean[] fired) {}

    Sae(SaeConfig config, NDManager manager, NDArray wEnc, NDArray bEnc, NDArray wDec, NDArray bDec) {
        this.config = config;
        this.manager = manager;
        this.wEnc = wEnc;
        this.bEnc = bEnc;
        this.wDec = wDec;
        this.bDec = bDec;
        this.grads = params().stream().map(p -> manager.zeros(p.getShape(), p.getDataType())).toList();
    }

    /**
     * A new SAE: W_enc and W_dec drawn independently from Kaiming-uniform distributions
     * (bounds sqrt(6 / d_sae) and sqrt(6 / d_model), as PyTorch's {@code kaiming_uniform_} on the
     * reference's [d, F] and [F, d] matrices), biases zero, decoder rows then set to unit norm.
     * Deterministic given {@code config.seed()}.
     */
    public static Sae initialise(SaeConfig config, NDManager parent) {
        int d = config.dModel();
        int f = config.dSae();
        SplittableRandom rng = new SplittableRandom(config.seed());
        float[] enc = uniform(rng, (long) f * d, Math.sqrt(6.0 / f));
        float[] dec = uniform(rng, (long) f * d, Math.sqrt(6.0 / d));
        NDManager m = parent.newSubManager();
        Sae sae = new Sae(config, m, m.create(enc, new Shape(f, d)), m.zeros(new Shape(f)), m.create(dec, new Shape(f, d)),
                m.zeros(new Shape(d)));
        sae.normalizeDecoder();
        return sae;
    }

    /** An SAE from given arrays (internal layout), e.g. a loaded checkpoint; the arrays are copied. */
    public static Sae of(SaeConfig config, NDManager parent, float[] wEncRows, float[] bEnc, float[] wDec, float[] bDec) {
        int d = config.dModel();
        int f = config.dSae();
        NDManager m = parent.newSubManager();
        return new Sae(config, m, m.create(wEncRows, new Shape(f, d)), m.create(bEnc, new Shape(f)),
                m.create(wDec, new Shape(f, d)), m.create(bDec, new Shape(d)));
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

    /** The trainable arrays: W_enc, b_enc, W_dec, b_dec. */
    public List<NDArray> params() {
        return List.of(wEnc, bEnc, wDec, bDec);
    }

    /** Sets every decoder row to unit L2 norm. */
    public void normalizeDecoder() {
        NDArray norms = wDec.norm(new int[] {1}, true).maximum(1e-8f);
        wDec.divi(norms);
        norms.close();
    }

    /**
     * Removes from each decoder row's gradient its component along the row (the row then moves
     * tangentially to the unit sphere, so the L1 term cannot be lowered by shrinking the decoder).
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

    /** Codes [B, d_sae] of inputs [B, d_model] (no gradient). */
    public NDArray encode(NDArray x) {
        NDArray pre = x.sub(bDec).matMul(wEnc.transpose()).add(bEnc);
        NDArray f = Activation.relu(pre);
        if (config.kind() == SaeKind.TOPK) {
            NDList top = f.topK(config.k(), 1, true, false);
            NDArray codes = f.zerosLike().scatter(top.get(1), top.get(0), 1);
            return codes;
        }
        return f;
    }

    /** Reconstructions [B, d_model] of codes [B, d_sae]. */
    public NDArray decode(NDArray codes) {
        return codes.matMul(wDec).add(bDec);
    }

    /**
     * One forward and backward pass on a batch [B, d_model]; the gradients are left in
     * {@link #gradients()} (overwritten, not accumulated).
     *
     * @param l1 the sparsity coefficient for this step (ignored by TopK)
     */
    public StepResult forwardBackward(NDArray x, double l1) {
        return config.kind() == SaeKind.TOPK ? topKStep(x) : reluStep(x, l1);
    }

    /**
     * ReLU SAE, gradients written out by hand (the chain rule of the loss in {@link SaeConfig}): with
     * e = x̂ − x and g = 2e / (B·d), dW_dec = fᵀg, df = g W_decᵀ + λ/B masked where pre > 0,
     * dW_enc = dfᵀ (x − b_dec), db_enc = Σ_b df, db_dec = Σ_b g − db_enc W_enc. Five products of size
     * B × d × F; autograd would spend a sixth on the input gradient only to sum it for db_dec.
     */
    private StepResult reluStep(NDArray x, double l1) {
        int b = (int) x.getShape().get(0);
        int d = config.dModel();
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            NDArray xc = x.sub(bDec);
            NDArray pre = Linear.linear(xc, wEnc, bEnc).singletonOrThrow(); // one fused x·Wᵀ + b, [B, F]
            NDArray f = Activation.relu(pre);                          // codes
            pre.close();
            // 1 where the latent is active, else 0, as float32: float-by-float products and sums are
            // much faster here than ones that mix in a boolean mask (measured: 0.13 s against 0.33 s
            // per step at B 4096, d_sae 6144)
            NDArray on = f.sign();
            NDArray err = f.matMul(wDec).addi(bDec).subi(x);          // e = x̂ − x, [B, d]
            double mse = err.square().sum().getFloat() / ((double) b * d);
            double l1Term = f.sum().getFloat() / b;
            NDArray g = err.muli(2f / ((float) b * d));
            f.transpose().matMul(g).copyTo(grads.get(2));             // dW_dec = fᵀ g
            NDArray gDecBias = g.sum(new int[] {0});
            NDArray df = g.matMul(wDec.transpose());                  // [B, F]
            if (l1 > 0) {
                df.addi((float) (l1 / b));
            }
            df.muli(on);
            df.transpose().matMul(xc).copyTo(grads.get(0));           // dW_enc (rows), [F, d]
            NDArray dbEnc = df.sum(new int[] {0});
            dbEnc.copyTo(grads.get(1));
            gDecBias.subi(dbEnc.matMul(wEnc)).copyTo(grads.get(3));   // db_dec
            NDArray perLatent = on.sum(new int[] {0});
            boolean[] fired = perLatent.gt(0).toBooleanArray();
            double l0 = perLatent.sum().getFloat() / b;
            return new StepResult(mse + l1 * l1Term, mse, l1Term, l0, fired);
        }
    }

    /** TopK SAE: dense encoder product and top-k in libtorch, the sparse rest in {@link TopKKernels}. */
    private StepResult topKStep(NDArray x) {
        int b = (int) x.getShape().get(0);
        int d = config.dModel();
        int k = config.k();
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            NDArray xc = x.sub(bDec);
            NDArray pre = Linear.linear(xc, wEnc, bEnc).singletonOrThrow();
            NDList top = pre.topK(k, 1, true, false);
            pre.close();
            float[] v = top.get(0).toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.max(v[i], 0f); // ReLU of the kept pre-activations
            }
            long[] idx = top.get(1).toLongArray();
            for (NDArray g : grads) {
                g.muli(0f);
            }
            double mse = TopKKernels.step(b, d, k, config.dSae(), x.toFloatArray(), bDec.toFloatArray(), idx, v,
                    view(wEnc), view(wDec), view(grads.get(0)), view(grads.get(1)), view(grads.get(2)), view(grads.get(3)));
            boolean[] fired = new boolean[config.dSae()];
            int active = 0;
            double l1Term = 0;
            for (int i = 0; i < idx.length; i++) {
                if (v[i] > 0) {
                    fired[(int) idx[i]] = true;
                    active++;
                    l1Term += v[i];
                }
            }
            return new StepResult(mse, mse, l1Term / b, (double) active / b, fired);
        }
    }

    private static java.lang.foreign.MemorySegment view(NDArray a) {
        return Adam.view(a);
    }

    /** Copies of the parameters in checkpoint layout: W_enc [d_model, d_sae], b_enc, W_dec [d_sae, d_model], b_dec. */
    public float[][] exportArrays() {
        return new float[][] {wEnc.transpose().toFloatArray(), bEnc.toFloatArray(), wDec.toFloatArray(), bDec.toFloatArray()};
    }

    @Override
    public void close() {
        manager.close();
    }
}

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
import java.util.List;

/**
 * One forward and backward pass of a {@link Sae}, the gradients left in {@link Sae#gradients()}. Gradients are
 * written out, not taken from autograd (autograd cannot express JumpReLU's straight-through estimator, and
 * would spend a product on the input gradient only to sum it for db_dec). Two implementations compute them:
 * <ul>
 *   <li>the <em>dense</em> path ({@link #dense}), NDArray operations only, so it runs on any device (the GPU
 *       path): products of size B × d × F for the selected codes, one pair per Matryoshka prefix;</li>
 *   <li>the <em>sparse</em> path ({@link #sparse}), the default for TopK and BatchTopK on the CPU: the dense
 *       encoder product and the selection run in libtorch, then {@link SparseKernels} decodes and runs the
 *       whole backward pass over the active latents only, O(B × k × d) instead of O(B × F × d).</li>
 * </ul>
 * Tests check that both give the same gradients, and both against finite differences.
 */
final class SaeGradients {

    private SaeGradients() {}

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
    static Sae.StepResult dense(Sae sae, NDArray x, double l1, boolean[] dead) {
        int b = (int) x.getShape().get(0);
        int d = sae.config().dModel();
        int fDim = sae.config().dSae();
        SaeKind kind = sae.config().kind();
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            // the parameters too, for the step: what is derived from them (W_dec transposed, exp(log θ)) is then
            // made on this scope and freed with it, instead of piling up on the SAE's manager step after step
            scope.tempAttachAll(sae.params().toArray(NDArray[]::new));
            NDArray xc = sae.encoderInput(x);
            NDArray pre = Linear.linear(xc, sae.wEnc, sae.bEnc).singletonOrThrow();
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
                    NDList top = r.topK(sae.config().k(), 1, true, false);
                    on = r.zerosLike().scatter(top.get(1), top.get(0).sign(), 1);
                    f = r.mul(on);
                }
                case BATCHTOPK -> {
                    NDArray r = Activation.relu(pre);
                    on = sae.batchSelection(r);
                    f = r.mul(on);
                    sae.updateBatchThreshold(smallestPositive(f));
                }
                case JUMPRELU -> {
                    theta = sae.logThreshold.exp();
                    on = pre.gt(theta).toType(DataType.FLOAT32, false);
                    f = pre.mul(on);
                }
                default -> throw new IllegalStateException("unknown kind " + kind);
            }
            List<Integer> bounds = sae.config().matryoshka().isEmpty() ? List.of(fDim) : sae.config().matryoshka();
            int n = bounds.size();
            float gScale = 2f / ((float) b * d * n);
            NDArray recon = null;
            List<NDArray> g = new ArrayList<>();
            double mseSum = 0;
            double mseFull = 0;
            NDArray lastErr = null;
            for (int t = 0, lo = 0; t < n; lo = bounds.get(t), t++) {
                int hi = bounds.get(t);
                NDArray part = n == 1 ? f.matMul(sae.wDec) : f.get(":, " + lo + ":" + hi).matMul(sae.wDec.get(lo + ":" + hi));
                recon = recon == null ? part.add(sae.bDec) : recon.add(part);
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
                NDArray decT = n == 1 ? sae.wDec : sae.wDec.get(lo + ":" + hi);
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
                int kAux = Math.min(sae.config().auxK(), count(dead));
                NDList top = candidates.topK(kAux, 1, true, false);
                NDArray onA = r.zerosLike().scatter(top.get(1), top.get(0).gt(0f).toType(DataType.FLOAT32, false), 1);
                NDArray fa = r.mul(onA);
                NDArray residual = lastErr.neg();                                 // x − x̂ (a constant target)
                NDArray a = fa.matMul(sae.wDec).sub(residual);
                auxMse = a.square().sum().getFloat() / ((double) b * d);
                NDArray ga = a.mul((float) (2 * sae.config().auxCoeff() / ((double) b * d)));
                gWDec = gWDec.add(fa.transpose().matMul(ga));
                dpre = dpre.add(ga.matMul(sae.wDec.transpose()).mul(onA));
            }
            if (kind == SaeKind.JUMPRELU) {
                float eps = (float) sae.config().bandwidth();
                NDArray kernel = pre.sub(theta).abs().lt(eps / 2).toType(DataType.FLOAT32, false);
                NDArray dTheta = df.mul(kernel).sum(new int[] {0}).mul(theta).mul(-1f / eps);
                if (l1 > 0) {
                    dTheta = dTheta.add(kernel.sum(new int[] {0}).mul((float) (-l1 / (b * (double) eps))));
                }
                dTheta.mul(theta).copyTo(sae.grads.get(4));
                penalty = l1 * l0;
            }
            dpre.transpose().matMul(xc).copyTo(sae.grads.get(0));
            NDArray dbEnc = dpre.sum(new int[] {0});
            dbEnc.copyTo(sae.grads.get(1));
            gWDec.copyTo(sae.grads.get(2));
            (sae.config().centered() ? gDecBias.sub(dbEnc.matMul(sae.wEnc)) : gDecBias).copyTo(sae.grads.get(3));
            boolean[] fired = on.sum(new int[] {0}).gt(0f).toBooleanArray();
            double loss = mseSum / n + penalty + sae.config().auxCoeff() * auxMse;
            return new Sae.StepResult(loss, mseFull, l1Term, l0, auxMse, fired);
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
     * sae.decode, loss and the whole backward pass over the selected latents in {@link SparseKernels}.
     */
    static Sae.StepResult sparse(Sae sae, NDArray x, boolean[] dead) {
        int b = (int) x.getShape().get(0);
        int d = sae.config().dModel();
        int fDim = sae.config().dSae();
        try (NDManager scope = NDManager.subManagerOf(x)) {
            scope.tempAttachAll(x);
            NDArray xc = sae.encoderInput(x);
            NDArray pre = Linear.linear(xc, sae.wEnc, sae.bEnc).singletonOrThrow();
            SparseKernels.Slots main;
            if (sae.config().kind() == SaeKind.TOPK) {
                NDList top = pre.topK(sae.config().k(), 1, true, false);
                main = SparseKernels.Slots.perRow(b, sae.config().k(), top.get(1).toLongArray(), relu(top.get(0).toFloatArray()));
            } else {
                int n = (int) Math.min((long) b * fDim, (long) sae.config().k() * b);
                NDList top = Activation.relu(pre).reshape(-1).topK(n, 0, true, false);
                main = SparseKernels.Slots.fromFlat(b, fDim, top.get(1).toLongArray(), top.get(0).toFloatArray());
                sae.updateBatchThreshold(main.smallestPositive());
            }
            SparseKernels.Slots auxSlots = null;
            if (dead != null) {
                NDArray deadMask = scope.create(toFloats(dead), new Shape(fDim));
                int kAux = Math.min(sae.config().auxK(), count(dead));
                NDList top = pre.add(deadMask.sub(1f).mul(1e30f)).topK(kAux, 1, true, false);
                auxSlots = SparseKernels.Slots.perRow(b, kAux, top.get(1).toLongArray(), relu(top.get(0).toFloatArray()));
            }
            pre.close();
            for (NDArray g : sae.grads) {
                g.muli(0f);
            }
            List<Integer> bounds = sae.config().matryoshka().isEmpty() ? List.of(fDim) : sae.config().matryoshka();
            SparseKernels.Result r = SparseKernels.step(b, d, fDim, x.toFloatArray(), sae.bDec.toFloatArray(), sae.config().centered(),
                    bounds, sae.groupOf, main, auxSlots, sae.config().auxCoeff(), Adam.view(sae.wEnc), Adam.view(sae.wDec), Adam.view(sae.grads.get(0)),
                    Adam.view(sae.grads.get(1)), Adam.view(sae.grads.get(2)), Adam.view(sae.grads.get(3)));
            double mseMean = 0;
            for (double m : r.msePerPrefix()) {
                mseMean += m;
            }
            mseMean /= bounds.size();
            double mseFull = r.msePerPrefix()[bounds.size() - 1];
            return new Sae.StepResult(mseMean + sae.config().auxCoeff() * r.auxMse(), mseFull, main.sum() / b,
                    (double) main.active() / b, r.auxMse(), main.fired(fDim));
        }
    }

    private static float[] relu(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(v[i], 0f);
        }
        return v;
    }
}

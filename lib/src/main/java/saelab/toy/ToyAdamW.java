package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019) with bias correction, as
 * {@code torch.optim.AdamW}: {@code p <- p (1 - lr wd)} for decayed parameters, then
 * {@code m <- b1 m + (1 - b1) g}, {@code v <- b2 v + (1 - b2) g^2},
 * {@code p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)}; plus global-norm gradient clipping
 * ({@code torch.nn.utils.clip_grad_norm_}: scale every gradient by {@code max / (norm + 1e-6)} when that is
 * below one).
 *
 * <p>Written by hand over NDArrays because DJL's optimisers update {@code ai.djl.nn.Parameter}s of a
 * {@code Block}, and the toy models keep bare arrays keyed by checkpoint names instead of blocks. The update
 * is a handful of elementwise libtorch calls per parameter, run with grad mode off.
 */
final class ToyAdamW implements AutoCloseable {

    /** First-moment decay. */
    static final double BETA1 = 0.9;
    /** Second-moment decay: 0.98, CLIP's choice for transformers (Radford et al. 2021), also used for DINOv2 here. */
    static final double BETA2 = 0.98;
    /** Denominator floor: 1e-6, CLIP's. */
    static final double EPS = 1e-6;
    /** Decoupled weight decay on weight matrices (the ViT/MAE setting of 0.05). */
    static final double WEIGHT_DECAY = 0.05;
    /** Largest global gradient norm. */
    static final double CLIP_NORM = 1.0;

    private final NDManager manager;
    private final List<NDArray> params;
    private final List<WeightDecay> decay;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private long t;

    /** An optimiser of {@code params} ({@code decay.get(i)}: whether weight decay applies to {@code params.get(i)}). */
    ToyAdamW(List<NDArray> params, List<WeightDecay> decay, NDManager parent) {
        if (params.size() != decay.size()) {
            throw new IllegalArgumentException(params.size() + " parameters but " + decay.size() + " weight-decay settings");
        }
        this.manager = parent.newSubManager();
        this.params = List.copyOf(params);
        this.decay = List.copyOf(decay);
        for (NDArray p : params) {
            m.add(manager.zeros(p.getShape(), p.getDataType()));
            v.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /**
     * Clips the gradients in place to global norm {@code maxNorm} and returns the norm before clipping.
     *
     * @param grads the gradient of each parameter, in order
     */
    static double clip(List<NDArray> grads, double maxNorm) {
        NDArray total = null;
        for (NDArray g : grads) {
            NDArray s = g.square().sum();
            total = total == null ? s : total.add(s);
        }
        double norm = total == null ? 0 : Math.sqrt(total.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray()[0]);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli((float) coef);
            }
        }
        return norm;
    }

    /** One update of every parameter with its gradient, at learning rate {@code lr}. */
    void step(List<NDArray> grads, double lr) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double sqrtC2 = Math.sqrt(1 - Math.pow(BETA2, t));
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray g = grads.get(i);
            if (decay.get(i) == WeightDecay.APPLIED) {
                p.muli((float) (1 - lr * WEIGHT_DECAY));
            }
            m.get(i).muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            v.get(i).muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            NDArray denom = v.get(i).sqrt().divi((float) sqrtC2).addi((float) EPS);
            p.subi(m.get(i).div(denom).muli((float) (lr / c1)));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015) with bias
 * correction and no weight decay, as {@code torch.optim.Adam} with defaults β1 = 0.9, β2 = 0.999,
 * ε = 1e-8. The moments live in NDArrays beside the parameters and are saved with the training state.
 */
final class Adam implements AutoCloseable {

    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPS = 1e-8f;

    private final NDManager manager;
    final List<NDArray> m = new ArrayList<>();
    final List<NDArray> v = new ArrayList<>();
    long t;

    Adam(List<NDArray> params, NDManager parent) {
        this.manager = parent.newSubManager();
        for (NDArray p : params) {
            m.add(manager.zeros(p.getShape(), p.getDataType()));
            v.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** One update of every parameter with its gradient ({@code grads.get(i)} for {@code params.get(i)}). */
    void step(List<NDArray> params, List<NDArray> grads, double lr) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        float stepSize = (float) (lr / c1);
        float sqrtC2 = (float) Math.sqrt(c2);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray g = grads.get(i);
            try (NDManager scope = NDManager.subManagerOf(p)) {
                scope.tempAttachAll(g);
                m.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
                v.get(i).muli(BETA2).addi(g.square().muli(1 - BETA2));
                // p -= lr/c1 · m / (sqrt(v)/sqrt(c2) + eps) = (lr·sqrt(c2)/c1) · m / (sqrt(v) + eps·sqrt(c2))
                NDArray denom = v.get(i).sqrt().addi(EPS * sqrtC2);
                p.subi(m.get(i).div(denom).muli(stepSize * sqrtC2));
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}

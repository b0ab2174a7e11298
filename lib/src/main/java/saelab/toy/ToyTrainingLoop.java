package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import saelab.store.Permutations;

/**
 * The optimisation of a toy backbone: per step, the objective's loss with libtorch autograd recording on
 * this thread ({@link ThreadAutograd}), backward, global-norm clipping, an AdamW update at the scheduled rate, and the gradients zeroed
 * for the next step. Batches are drawn without replacement from the training scenes, in a fresh random order
 * each epoch (a {@link SplittableRandom} seeded from the spec); every temporary array of a step is closed by
 * an {@link NDScope}.
 */
final class ToyTrainingLoop implements AutoCloseable {

    private final ToyObjective objective;
    private final NDManager manager;
    private final List<NDArray> params = new ArrayList<>();
    private final ToyAdamW optimiser;
    private final ToySchedule schedule;
    private final SplittableRandom order;
    private final int trainImages;
    private final int batch;
    private int[] epoch = new int[0];
    private int cursor;

    ToyTrainingLoop(ToyModel model, ToyObjective objective, ToyBackboneSpec spec, NDManager manager) {
        this.objective = objective;
        this.manager = manager;
        params.addAll(model.parameters().arrays());
        params.addAll(objective.extraParameters());
        List<WeightDecay> decay = new ArrayList<>(model.parameters().decays());
        decay.addAll(objective.extraDecay());
        this.optimiser = new ToyAdamW(params, decay, manager);
        this.schedule = ToySchedule.of(spec.lr(), spec.steps());
        this.order = new SplittableRandom(spec.seed() ^ 0x0DDBA11L);
        this.trainImages = spec.trainImages();
        this.batch = spec.batch();
    }

    /**
     * The scene indices of the next batch: the next {@code batch} of this epoch's permutation of {@code [0, trainImages)}
     * (a Fisher-Yates shuffle); an epoch's last partial batch is dropped.
     */
    int[] nextIndices() {
        if (cursor + batch > epoch.length) {
            epoch = Permutations.shuffled(trainImages, order);
            cursor = 0;
        }
        int[] idx = new int[batch];
        System.arraycopy(epoch, cursor, idx, 0, batch);
        cursor += batch;
        return idx;
    }

    /** The learning rate of 0-based step {@code step}. */
    double lr(int step) {
        return schedule.at(step);
    }

    /**
     * One optimisation step on {@code data}; returns the batch's loss before the update.
     *
     * @throws IllegalStateException when the loss is not finite (training diverged)
     */
    double step(int step, ToyBatch data) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float loss;
            try (ThreadAutograd autograd = ThreadAutograd.begin()) {
                NDArray l = objective.loss(manager, data);
                autograd.backward(l);
                loss = l.getFloat();
            }
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("toy backbone training diverged at step " + step + " (loss " + loss
                        + "); lower the learning rate");
            }
            List<NDArray> grads = new ArrayList<>(params.size());
            for (NDArray p : params) {
                grads.add(p.getGradient());
            }
            ToyAdamW.clip(grads, ToyAdamW.CLIP_NORM);
            optimiser.step(grads, lr(step));
            for (NDArray g : grads) {
                g.subi(g); // the gradient accumulates in place across backward calls: zero it for the next step
            }
            objective.afterStep();
            return loss;
        }
    }

    @Override
    public void close() {
        optimiser.close();
    }
}

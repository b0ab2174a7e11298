package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * A training objective of a toy backbone: the loss of a batch, and any trainable arrays of its own that are not
 * part of the saved model (a prediction head).
 */
sealed interface ToyObjective extends AutoCloseable permits ToyContrastiveObjective, ToyMaskedPatchObjective {

    /**
     * The scalar loss of {@code batch}, built from differentiable operations; call it inside an
     * {@link ai.djl.ndarray.NDScope} (and a {@link ThreadAutograd} when training).
     *
     * @param manager where the inputs are created
     */
    NDArray loss(NDManager manager, ToyBatch batch);

    /** Trainable arrays of the objective itself (not saved), possibly none. */
    List<NDArray> extraParameters();

    /** Whether weight decay applies to each of {@link #extraParameters()}. */
    List<WeightDecay> extraDecay();

    /** Runs after every optimiser update (e.g. CLIP's clamp of the temperature). */
    void afterStep();

    @Override
    void close();
}

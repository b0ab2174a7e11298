package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import saelab.model.VisionOutput;

/**
 * What follows a vision tower in an intervention: a map from the tower's output to task logits (a segmentation
 * layer on the final-normed patch tokens, a linear probe on the pooled output, a zero-shot classifier). The
 * spliced forward of {@link EditSession} hands the edited tower output to it.
 */
@FunctionalInterface
public interface TaskHead {

    /**
     * The logits for the tower's output (shape chosen by the head, e.g. {@code [B, patches, classes]} or
     * {@code [B, classes]}), on {@code nd}.
     */
    NDArray logits(VisionOutput out, NDManager nd);
}

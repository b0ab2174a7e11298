package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import saelab.model.VisionOutput;

/**
 * What is read off a vision tower's output: a map from the tower's output to task logits (a segmentation
 * layer on the final-normed patch tokens, a linear probe on the pooled output, a zero-shot classifier). Every
 * {@link TaskHead} is one; an intervention's spliced forward ({@code saelab.intervene.EditSession}) hands the
 * edited tower output to it, and a benchmark may pass a bare function.
 */
@FunctionalInterface
public interface Readout {

    /**
     * The logits for the tower's output, on {@code nd}: {@code [B, classes]} for image heads,
     * {@code [B, patches, classes]} for per-patch heads (patches in raster order).
     */
    NDArray logits(VisionOutput out, NDManager nd);
}

package saelab.heads;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import saelab.model.VisionOutput;

/** A task head on a vision tower's output: what an intervention measures before and after an edit. */
public interface TaskHead {

    /**
     * The head's logits for one forward pass, on {@code nd}: {@code [B, classes]} for image heads,
     * {@code [B, patches, classes]} for the segmentation head (patches in raster order).
     */
    NDArray logits(VisionOutput out, NDManager nd);

    /** The class names, in the order of the logits' last axis. */
    List<String> classes();

    /** What the head predicts. */
    HeadKind kind();
}

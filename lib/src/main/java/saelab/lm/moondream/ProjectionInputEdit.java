package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;

/**
 * An edit of moondream2's vision features where its projection consumes them, the splice point of an
 * SAE intervention: given the stitched features of one image ({@link MoondreamImageFeatures}), return
 * the {@code [T, 2 D]} projection input to use instead of {@link MoondreamImageFeatures#projectionInput}
 * (e.g. SAE encode, edit, decode plus the error term on either half). The result is projected and run
 * through the text model's image prefix; it may live on any manager (it is read, not kept or closed).
 */
@FunctionalInterface
public interface ProjectionInputEdit {

    /** No edit: the features as the encoder produced them. */
    ProjectionInputEdit NONE = MoondreamImageFeatures::projectionInput;

    /** The projection input to use for {@code features}. */
    NDArray apply(MoondreamImageFeatures features);
}

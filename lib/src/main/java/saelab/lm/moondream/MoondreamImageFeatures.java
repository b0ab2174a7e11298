package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;

/**
 * The vision features of one image at the point where moondream2's projection consumes them, the
 * splice point of a feature edit: every row of {@link #projectionInput} is a global-crop token beside
 * the pooled local tokens at the same grid cell, all in the encoder's {@code post_ln} space (width D),
 * so an SAE trained on the encoder output can edit either half. Edit {@link #projectionInput} (or
 * build one from edited halves) and pass it to {@link MoondreamVision#project}. The arrays live on
 * the manager of the encoder output they came from; close it (or them) when done.
 *
 * @param encoderOut      {@code [crops, T, D]} encoder output of every crop, global crop first
 * @param reconstructed   {@code [H, W, D]} the local crops' features stitched into one grid (before pooling)
 * @param pooled          {@code [T, D]} the stitched grid pooled to the crop grid, row-major cells
 * @param projectionInput {@code [T, 2 D]} global features (first D columns) beside {@code pooled} (last D columns)
 * @param tiling          the local crops' layout
 */
public record MoondreamImageFeatures(NDArray encoderOut, NDArray reconstructed, NDArray pooled, NDArray projectionInput,
                                     CropTiling tiling) {}

/**
 * The vision side of moondream2 (github.com/vikhyat/moondream at 44146f1, the functional PyTorch code
 * in {@code moondream/torch/}), from an image to the image embeddings its text model reads, tested
 * against a golden fixture of the reference at atol 1e-4 + rtol 1e-4 (crops bit for bit).
 *
 * <p>{@link saelab.lm.moondream.MoondreamConfig} reads {@code config.json} and refuses sizes the
 * reference hard-codes otherwise; {@link saelab.lm.moondream.OverlapCropper} cuts the global and
 * overlapping local crops (Pillow-exact Lanczos); {@link saelab.lm.moondream.MoondreamVision} loads
 * the weights ({@code model.vision.*}) and runs encode, stitch ({@link saelab.lm.moondream.CropStitcher})
 * and project as separate steps, so that an edit of the features the projection consumes
 * ({@link saelab.lm.moondream.MoondreamImageFeatures}) can be spliced in between. The text decoder
 * is not part of this package.
 */
package saelab.lm.moondream;

/**
 * moondream2 (github.com/vikhyat/moondream at 44146f1, the functional PyTorch code in
 * {@code moondream/torch/}), from an image and a question (token ids) to the answer's ids, tested against
 * a golden fixture of the reference at atol 1e-4 + rtol 1e-4 (crops bit for bit, ids exactly).
 *
 * <p>Vision: {@link saelab.lm.moondream.MoondreamConfig} reads {@code config.json} and refuses sizes the
 * reference hard-codes otherwise; {@link saelab.lm.moondream.OverlapCropper} cuts the global and
 * overlapping local crops (Pillow-exact Lanczos); {@link saelab.lm.moondream.MoondreamVision} loads
 * the weights ({@code model.vision.*}) and runs encode, stitch ({@link saelab.lm.moondream.CropStitcher})
 * and project as separate steps, so that an edit of the features the projection consumes
 * ({@link saelab.lm.moondream.MoondreamImageFeatures}) can be spliced in between.
 *
 * <p>Text: {@link saelab.lm.moondream.MoondreamText} is the Phi-style decoder ({@code model.text.*}:
 * parallel blocks with one LayerNorm, fused qkv, {@link saelab.lm.moondream.PartialRope} on the first 32
 * dimensions of each head with the interleaved write-back, a bidirectional 730-token image prefix then
 * causal attention, {@code post_ln} and a biased {@code lm_head}) over a
 * {@link saelab.lm.moondream.MoondreamKvCache}; {@link saelab.lm.moondream.MoondreamQuery} builds the
 * prompt and generates as the reference's {@code _generate_answer} (greedy, or sampled through
 * {@link saelab.lm.Sampler}).
 *
 * <p>End to end: {@link saelab.lm.moondream.MoondreamModel} encodes an image once
 * ({@link saelab.lm.moondream.MoondreamEncodedImage}, optionally through a
 * {@link saelab.lm.moondream.ProjectionInputEdit}) and answers any number of questions or samples from it.
 */
package saelab.lm.moondream;

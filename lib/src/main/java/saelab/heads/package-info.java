/**
 * Task heads on a vision tower's final features, trained in Java on cached features and applied to a live
 * forward pass: a linear segmentation head on the final-normed patch tokens, a linear classification probe on
 * the pooled output, and a zero-shot class-name classifier on the image embedding. Heads are saved as
 * safetensors with their provenance (model, cache, layer, classes, training config, metrics). Uses the model
 * and store packages (and zeroshot), and the capture's example loader and preprocessing geometry to score a
 * segmentation head per pixel on a dataset's images ({@link saelab.heads.PixelEvaluation}); the intervention code calls the
 * heads through {@link saelab.heads.TaskHead}.
 */
package saelab.heads;

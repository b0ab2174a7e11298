/**
 * Vision transformers and their text towers on DJL NDArrays (PyTorch engine), loaded from local
 * folders: DINOv2 with and without registers, CLIP and SigLIP in Hugging Face layout, and
 * open_clip checkpoints such as BioCLIP. The architectures, tensor names and pooling rules are
 * those written down in {@code lib/MODELS.md}; every family is tested against outputs of the public reference
 * code (transformers, open_clip) at atol 1e-4 + rtol 1e-4.
 *
 * <p>Entry points: {@link saelab.model.ModelLoader#load} gives a {@link saelab.model.LoadedModel}
 * with a {@link saelab.model.VisionTower} (forward with hooks, spliced forward from an edited
 * residual stream, {@link saelab.store.TokenLayout}), for image-text models a
 * {@link saelab.model.TextTower} and a {@link saelab.model.DualEncoder} (logits).
 * {@link saelab.model.ForwardRunner} writes every activation of a run under the fixtures' names.
 *
 * <p>Conventions: block indices are 0-based everywhere; resid_post[l] is the output of block l
 * before any final norm, resid_pre[0] the embedded sequence ({@code embeddings}). Activations are
 * {@code [batch, tokens, width]}. Weights are read from memory-mapped safetensors straight into
 * native memory ({@link saelab.model.MappedSafetensors}); F16/BF16/F64 checkpoints load as float32,
 * and the compute dtype is float32 (float16 / bfloat16 on a GPU on request).
 */
package saelab.model;

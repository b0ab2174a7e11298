/**
 * Small vision transformers trained in Java (DJL autograd on the PyTorch engine) on the procedural toy
 * world ({@link saelab.data.ToyWorld}), saved in real Hugging Face layouts that
 * {@link saelab.model.ModelLoader} loads unchanged: a CLIP-layout dual encoder trained with the symmetric
 * InfoNCE objective of Radford et al. 2021, and a DINOv2-layout encoder trained with masked patch
 * prediction (SimMIM, Xie et al. 2022). Together they mirror the language-supervised versus vision-only
 * comparison of the paper at toy scale, with no downloads.
 *
 * <p>Entry point: {@link saelab.toy.ToyBackboneTrainer#train}. The rest of the package is the training
 * forward (written separately from {@code saelab.model}, whose blocks fold weights and work in place),
 * the optimiser, the objectives, the tokenizer files, and the held-out checks.
 */
package saelab.toy;

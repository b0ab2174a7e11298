/**
 * Small vision transformers trained in Java (DJL autograd on the PyTorch engine) on the procedural toy
 * world ({@link saelab.data.ToyWorld}), saved in real Hugging Face layouts that
 * {@link saelab.model.ModelLoader} loads unchanged: a CLIP-layout dual encoder trained with the symmetric
 * InfoNCE objective of Radford et al. 2021, and a DINOv2-layout encoder trained with masked patch
 * prediction (SimMIM, Xie et al. 2022). Together they mirror the language-supervised versus vision-only
 * comparison of the paper at toy scale, with no downloads. A toy VLM ({@link saelab.toy.ToyVlmTrainer}) puts a
 * projector and a small Llama decoder, trained on questions about the scenes' ground truth
 * ({@link saelab.toy.ToyQuestions}), over the frozen toy CLIP tower and saves a Hugging Face LLaVA folder that
 * {@link saelab.lm.llava.LlavaModel} loads unchanged.
 *
 * <p>Entry points: {@link saelab.toy.ToyBackboneTrainer#train}, {@link saelab.toy.ToyVlmTrainer#train}. The rest of the package is the training
 * forward (written separately from {@code saelab.model}, whose blocks fold weights and work in place),
 * the optimiser, the objectives, the tokenizer files, and the held-out checks.
 */
package saelab.toy;

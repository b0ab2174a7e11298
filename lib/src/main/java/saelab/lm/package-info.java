/**
 * Decoder-only language models on DJL NDArrays (PyTorch engine), for the language side of vision-language
 * models: the Llama and Qwen2 layouts of transformers 4.45.2 ({@code modeling_llama}, {@code modeling_qwen2}),
 * tested against the text side of the LLaVA golden fixtures at atol 1e-4 + rtol 1e-4 (ids exactly).
 *
 * <p>Entry points: {@link saelab.lm.LmConfig} (a {@code config.json} or LLaVA's {@code text_config}, with the
 * defaults of each {@code model_type}), {@link saelab.lm.DecoderLm} (from a causal-LM folder or from a
 * checkpoint under a tensor prefix; {@code embed} for token embeddings, {@code forward} on embeddings with an
 * attention mask, position ids and a {@link saelab.lm.KvCache}), {@link saelab.lm.ImageTokenMerge} (image
 * features into the image-token positions), {@link saelab.lm.Generation} (prefill, then one cached step per
 * token; greedy or sampled by {@link saelab.lm.Sampler}; left-padded batches) and
 * {@link saelab.lm.TextTokenizer} ({@code tokenizer.json} through DJL's Hugging Face tokenizers);
 * {@link saelab.lm.ChatTemplate} and {@link saelab.lm.AnswerTally} for sampled answers;
 * {@link saelab.lm.LmBenchmark} ({@code saelab bench vlm}, prefill and cached decoding of a random decoder).
 *
 * <p>The vision-language models built on these: {@code saelab.lm.llava} (the LLaVA layout over a {@code saelab.model}
 * CLIP or SigLIP tower) and {@code saelab.lm.moondream} (moondream2, vision and text).
 *
 * <p>Conventions: activations are {@code [batch, tokens, width]}; attention masks and ids are host
 * {@code long[batch][tokens]} (or int64 arrays); batches are padded on the left, and positions come from the
 * mask ({@link saelab.lm.PaddedBatch}). Computation is float32.
 */
package saelab.lm;

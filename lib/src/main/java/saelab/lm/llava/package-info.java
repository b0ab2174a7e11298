/**
 * The LLaVA vision-language layout of transformers 4.45.2 ({@code LlavaForConditionalGeneration}): a CLIP or SigLIP
 * vision tower from {@code saelab.model}, the selected hidden state and select strategy, the two-layer projector, the
 * image features merged at the prompt's image tokens, and a Llama or Qwen2 decoder from {@code saelab.lm}; tested
 * against every tensor of the {@code llava_llama} and {@code llava_qwen2} golden fixtures.
 *
 * <p>Entry points: {@link saelab.lm.llava.LlavaModel#load} (a Hugging Face folder; {@link saelab.lm.llava.LlavaConfig}
 * supplies the defaults of absent fields), {@link saelab.lm.llava.LlavaModel#selectedFeatures} (the
 * {@code [B, N, D_vision]} hook point an SAE edit changes), {@link saelab.lm.llava.LlavaModel#forwardFromFeatures}
 * and {@link saelab.lm.llava.LlavaModel#generateFromFeatures} (the rest of the model from those features), and
 * {@link saelab.lm.llava.LlavaForward} (an inputs file to the fixtures' output names, for {@code saelab forward}).
 */
package saelab.lm.llava;

/**
 * Text for the vision-language models' text towers: the CLIP byte-level BPE tokenizer (CLIP, open_clip, BioCLIP),
 * the SigLIP SentencePiece tokenizer, a factory that picks one from a model folder, and the zero-shot prompt
 * templates (OpenAI's ImageNet templates; the class names they are filled with are {@code saelab.data.ImageNetClasses}).
 *
 * <p>Entry points: {@link saelab.text.Tokenizers#fromFolder}, {@link saelab.text.Tokenizer},
 * {@link saelab.text.PromptTemplates}. Depends on nothing else in saelab.
 */
package saelab.text;

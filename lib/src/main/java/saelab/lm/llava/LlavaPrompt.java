package saelab.lm.llava;

import java.util.Arrays;
import saelab.lm.ChatTemplate;
import saelab.lm.TextTokenizer;

/**
 * A one-image question as a LLaVA model reads it: the chat template rendered ({@link ChatTemplate}), tokenised with the
 * BOS the tokenizer adds ({@code <s>} for llava-1.5), and its one image token expanded to one token per selected
 * feature, as transformers 4.45.2's {@code LlavaProcessor} expands {@code <image>} to {@code image_seq_length} tokens.
 *
 * @param template      the chat template
 * @param question      the question as given
 * @param text          the rendered prompt before expansion
 * @param ids           the expanded prompt's token ids
 * @param imageTokens   image tokens in {@link #ids} (the features per image)
 * @param maxNewTokens  the most tokens an answer may have, checked against the context
 */
public record LlavaPrompt(ChatTemplate template, String question, String text, long[] ids, int imageTokens, int maxNewTokens)
        implements saelab.lm.AskedPrompt {

    /** Copies the ids. */
    public LlavaPrompt {
        ids = ids.clone();
    }

    /**
     * Renders, tokenises and expands a question.
     *
     * @param featuresPerImage the selected features of one image (N)
     * @param maxNewTokens     the most new tokens an answer may have (at least 1)
     * @throws IllegalArgumentException for an empty question, a prompt whose image token the tokenizer does not give as the
     *                                  model's image token (or gives more than once), or a prompt that with the answer
     *                                  would not fit the language model's context
     */
    public static LlavaPrompt build(LlavaConfig config, TextTokenizer tokenizer, ChatTemplate template, String question, int featuresPerImage,
                                    int maxNewTokens) {
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("the question is empty; expected the text to ask about the image");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max tokens is " + maxNewTokens + "; expected at least 1 new token per answer");
        }
        String text = template.render(question);
        long[] raw = tokenizer.encode(text);
        long image = config.imageTokenIndex();
        int found = (int) Arrays.stream(raw).filter(id -> id == image).count();
        if (found != 1) {
            throw new IllegalArgumentException("the " + template.id() + " prompt holds " + found + " image tokens (id " + image + ") after"
                    + " tokenisation; expected exactly one " + ChatTemplate.IMAGE + " (a tokenizer with " + ChatTemplate.IMAGE
                    + " as the added token " + image + ", and no " + ChatTemplate.IMAGE + " in the question)");
        }
        long[] ids = new long[raw.length - 1 + featuresPerImage];
        int o = 0;
        for (long id : raw) {
            if (id == image) {
                Arrays.fill(ids, o, o + featuresPerImage, image);
                o += featuresPerImage;
            } else {
                ids[o++] = id;
            }
        }
        long needed = (long) ids.length + maxNewTokens - 1;
        int context = config.text().maxPositions();
        if (needed > context) {
            int q = tokenizer.encode(question, false).length;
            throw new IllegalArgumentException("the question is " + q + " tokens long: the " + template.id() + " prompt with the image's "
                    + featuresPerImage + " tokens holds " + ids.length + " tokens and, with up to " + maxNewTokens + " new tokens, needs "
                    + needed + " positions, more than the language model's context of " + context + " (text_config.max_position_embeddings"
                    + " of " + config.file() + "); ask a shorter question or allow fewer new tokens");
        }
        return new LlavaPrompt(template, question, text, ids, featuresPerImage, maxNewTokens);
    }

    @Override
    public long[] ids() {
        return ids.clone();
    }

    /** The prompt's length in tokens. */
    @Override
    public int length() {
        return ids.length;
    }

    @Override
    public String templateId() {
        return template.id();
    }
}

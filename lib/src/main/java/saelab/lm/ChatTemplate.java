package saelab.lm;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The chat templates saelab renders for a one-image, one-question conversation. Only llava-1.5's is supported: the
 * {@code chat_template.json} of llava-hf/llava-1.5-7b-hf, as transformers 4.45.2's {@code apply_chat_template} renders
 * it for a user turn holding one image and the text q with the generation prompt added:
 * {@code "USER: <image>\n" + q + " ASSISTANT:"}; the tokenizer then adds {@code <s>} (transformers v4.45.2
 * docs/source/en/model_doc/llava.md gives the same format).
 */
public enum ChatTemplate {

    /** {@code USER: <image>\n{question} ASSISTANT:}. */
    LLAVA_1_5("llava-1.5");

    /** The placeholder of the image in a rendered prompt, one token before expansion to the image's features. */
    public static final String IMAGE = "<image>";

    private final String id;

    ChatTemplate(String id) {
        this.id = id;
    }

    /** The name used on the command line and in outputs. */
    public String id() {
        return id;
    }

    /**
     * Parses a template name (any case).
     *
     * @throws IllegalArgumentException for an unknown name, listing the supported ones
     */
    public static ChatTemplate parse(String name) {
        for (ChatTemplate t : values()) {
            if (t.id.equals(name == null ? "" : name.strip().toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("chat template '" + name + "' is not supported; saelab renders "
                + Arrays.stream(values()).map(t -> t.id + " (" + t.render("{question}").replace("\n", "\\n") + ")")
                .collect(Collectors.joining(", ")) + " only");
    }

    /** The prompt for one image and {@code question}, with the generation prompt and without the BOS token. */
    public String render(String question) {
        return switch (this) {
            case LLAVA_1_5 -> "USER: " + IMAGE + "\n" + question + " ASSISTANT:";
        };
    }
}

package saelab.lm;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The chat templates saelab renders for a one-image, one-question conversation, with the generation prompt added:
 * <ul>
 *   <li>llava-1.5: the {@code chat_template.json} of llava-hf/llava-1.5-7b-hf, as transformers 4.45.2's
 *       {@code apply_chat_template} renders it for a user turn holding one image and the text q:
 *       {@code "USER: <image>\n" + q + " ASSISTANT:"}; the tokenizer then adds {@code <s>} (transformers v4.45.2
 *       docs/source/en/model_doc/llava.md gives the same format);</li>
 *   <li>llava-interleave (the Qwen2 LLaVA models, e.g. llava-hf/llava-interleave-qwen-0.5b-hf): the model's
 *       {@code chat_template.json} as it renders one user turn holding one image and the text q, with the generation
 *       prompt: {@code "<|im_start|>user\n<image>\n" + q + "<|im_end|>\n<|im_start|>assistant\n"} (each turn opens with
 *       its role and a newline, images come first, each text after a newline, each turn ends with {@code <|im_end|>} and
 *       a newline). The hub file itself cannot be read offline; this is the template as two public projects quote it
 *       (each deriving its own template from that file, and both agreeing on these characters), and it differs from the
 *       one-line format of transformers v4.45.2's docs/source/en/model_doc/llava.md
 *       ({@code "<|im_start|>user <image>\n" + q + "<|im_end|><|im_start|>assistant"}), which the golden {@code llava_qwen2}
 *       fixture renders. Qwen's tokenizer adds no BOS.</li>
 * </ul>
 */
public enum ChatTemplate {

    /** {@code USER: <image>\n{question} ASSISTANT:}. */
    LLAVA_1_5("llava-1.5"),
    /** {@code <|im_start|>user\n<image>\n{question}<|im_end|>\n<|im_start|>assistant\n}. */
    LLAVA_INTERLEAVE("llava-interleave");

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
                .collect(Collectors.joining(", ")));
    }

    /** The prompt for one image and {@code question}, with the generation prompt and without the BOS token. */
    public String render(String question) {
        return switch (this) {
            case LLAVA_1_5 -> "USER: " + IMAGE + "\n" + question + " ASSISTANT:";
            case LLAVA_INTERLEAVE -> "<|im_start|>user\n" + IMAGE + "\n" + question + "<|im_end|>\n<|im_start|>assistant\n";
        };
    }
}

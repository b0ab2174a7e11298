package saelab.lm.llava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import saelab.lm.ChatTemplate;
import saelab.lm.TextTokenizer;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;

/**
 * The llava-1.5 prompt of a question (llava_llama fixture) and the llava-interleave one (llava_qwen2), tokenised and
 * expanded, are the fixtures' input_ids (rendered there by transformers' apply_chat_template and LlavaProcessor, or the
 * documented one-line interleave format, which differs from the model's template only by newlines); a question that does not fit the context and an unknown template are one sentence each.
 */
class LlavaPromptTest {

    /**
     * The prompts of both fixture questions, built with {@code template}, are the fixture's {@code input_ids} rows (16 image
     * tokens each); then {@code more} runs on the fixture's config and tokenizer.
     */
    private static void promptsAreInputIds(String fixture, ChatTemplate template, String[] questions, String[] rendered,
                                           PromptCheck more) throws Exception {
        Path dir = Golden.dir(fixture);
        LlavaConfig cfg = LlavaConfig.read(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir); NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(dir.resolve("inputs.safetensors"))) {
            long[] all = in.load("input_ids", nd).toLongArray();
            int t = all.length / 2;
            for (int row = 0; row < 2; row++) {
                LlavaPrompt p = LlavaPrompt.build(cfg, tok, template, questions[row], 16, 8);
                assertEquals(rendered[row], p.text());
                assertArrayEquals(java.util.Arrays.copyOfRange(all, row * t, (row + 1) * t), p.ids(), fixture + " prompt " + row);
                assertEquals(16, p.imageTokens());
            }
            more.check(cfg, tok);
        }
    }

    /** Further checks on a fixture's config and tokenizer. */
    @FunctionalInterface
    private interface PromptCheck {
        void check(LlavaConfig cfg, TextTokenizer tok);
    }

    @Test
    void thePromptIsTheFixturesInputIds() throws Exception {
        promptsAreInputIds("llava_llama", ChatTemplate.LLAVA_1_5, new String[] {"Is there a cat here?", "Where is the person?"},
                new String[] {"USER: <image>\nIs there a cat here? ASSISTANT:", "USER: <image>\nWhere is the person? ASSISTANT:"}, (cfg, tok) -> {
                    LlavaPrompt fits = LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_1_5, "Why?", 16, 128 - 38 + 1);
                    assertEquals(128, fits.length() + fits.maxNewTokens() - 1, "the longest answer that fits the 128-token context");
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_1_5, "Why?", 16, 128 - 38 + 2));
                    assertTrue(e.getMessage().startsWith("the question is 4 tokens long: the llava-1.5 prompt with the image's 16 tokens holds"
                            + " 38 tokens and, with up to 92 new tokens, needs 129 positions, more than the language model's context of 128"),
                            e.getMessage());
                });
    }

    /**
     * The fixture renders the one-line format of transformers' docs; the model's chat template differs only by newlines:
     * after {@code user} (in place of the space), after {@code <|im_end|>} and after {@code assistant}. So the template's
     * ids are the fixture's row with the space token after {@code <|im_start|>user} replaced by the newline token and a
     * newline token added after {@code <|im_end|>} and at the end (Qwen's pre-tokeniser keeps newlines apart from the
     * words and the special tokens around them).
     */
    @Test
    void theInterleavePromptIsTheQwenFixturesInputIdsWithTheTemplatesNewlines() throws Exception {
        Path dir = Golden.dir("llava_qwen2");
        LlavaConfig cfg = LlavaConfig.read(dir);
        String[] questions = {"Is there a cat here?", "Is it a dog?"};
        try (TextTokenizer tok = TextTokenizer.load(dir); NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(dir.resolve("inputs.safetensors"))) {
            long[] all = in.load("input_ids", nd).toLongArray();
            int t = all.length / 2;
            long space = single(tok, " ");
            long newline = single(tok, "\n");
            long imEnd = single(tok, "<|im_end|>");
            long[] opening = tok.encode("<|im_start|>user", false);
            for (int row = 0; row < 2; row++) {
                LlavaPrompt p = LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_INTERLEAVE, questions[row], 16, 8);
                assertEquals("<|im_start|>user\n<image>\n" + questions[row] + "<|im_end|>\n<|im_start|>assistant\n", p.text());
                java.util.List<Long> expected = new java.util.ArrayList<>();
                long[] fixtureRow = java.util.Arrays.copyOfRange(all, row * t, (row + 1) * t);
                int at = opening.length;
                assertArrayEquals(opening, java.util.Arrays.copyOf(fixtureRow, at), "the fixture's row opens with <|im_start|>user");
                assertEquals(space, fixtureRow[at], "the fixture's space after user");
                for (int i = 0; i < fixtureRow.length; i++) {
                    expected.add(i == at ? newline : fixtureRow[i]);
                    if (fixtureRow[i] == imEnd) {
                        expected.add(newline);
                    }
                }
                expected.add(newline);
                assertArrayEquals(expected.stream().mapToLong(Long::longValue).toArray(), p.ids(), "llava_qwen2 prompt " + row);
                assertEquals(16, p.imageTokens());
            }
        }
    }

    /** The one id {@code text} encodes to (without special tokens added). */
    private static long single(TextTokenizer tok, String text) {
        long[] ids = tok.encode(text, false);
        assertEquals(1, ids.length, "'" + text + "' is one token");
        return ids[0];
    }

    @Test
    void theTemplatesAreParsedByNameAndAnUnknownOneListsThem() {
        assertEquals(ChatTemplate.LLAVA_1_5, ChatTemplate.parse(" LLaVA-1.5 "));
        assertEquals(ChatTemplate.LLAVA_INTERLEAVE, ChatTemplate.parse("llava-interleave"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse("vicuna"));
        assertEquals("chat template 'vicuna' is not supported; saelab renders llava-1.5 (USER: <image>\\n{question} ASSISTANT:),"
                + " llava-interleave (<|im_start|>user\\n<image>\\n{question}<|im_end|>\\n<|im_start|>assistant\\n)", e.getMessage());
    }
}

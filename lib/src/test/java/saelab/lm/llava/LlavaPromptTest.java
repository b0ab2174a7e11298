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
 * The llava-1.5 prompt of a question, tokenised and expanded, is the fixture's input_ids (rendered there by
 * transformers' apply_chat_template and LlavaProcessor); a question that does not fit the context and an unknown
 * template are one sentence each.
 */
class LlavaPromptTest {

    @Test
    void thePromptIsTheFixturesInputIds() throws Exception {
        Path dir = Golden.dir("llava_llama");
        LlavaConfig cfg = LlavaConfig.read(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir); NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(dir.resolve("inputs.safetensors"))) {
            long[] all = in.load("input_ids", nd).toLongArray();
            int t = all.length / 2;
            String[] questions = {"Is there a cat here?", "Where is the person?"};
            for (int row = 0; row < 2; row++) {
                LlavaPrompt p = LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_1_5, questions[row], 16, 8);
                assertEquals("USER: <image>\n" + questions[row] + " ASSISTANT:", p.text());
                assertArrayEquals(java.util.Arrays.copyOfRange(all, row * t, (row + 1) * t), p.ids(), "prompt " + row);
                assertEquals(16, p.imageTokens());
            }
            LlavaPrompt fits = LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_1_5, "Why?", 16, 128 - 38 + 1);
            assertEquals(128, fits.length() + fits.maxNewTokens() - 1, "the longest answer that fits the 128-token context");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_1_5, "Why?", 16, 128 - 38 + 2));
            assertTrue(e.getMessage().startsWith("the question is 4 tokens long: the llava-1.5 prompt with the image's 16 tokens holds 38"
                    + " tokens and, with up to 92 new tokens, needs 129 positions, more than the language model's context of 128"),
                    e.getMessage());
        }
    }

    @Test
    void theInterleavePromptIsTheQwenFixturesInputIds() throws Exception {
        Path dir = Golden.dir("llava_qwen2");
        LlavaConfig cfg = LlavaConfig.read(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir); NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(dir.resolve("inputs.safetensors"))) {
            long[] all = in.load("input_ids", nd).toLongArray();
            int t = all.length / 2;
            String[] questions = {"Is there a cat here?", "Is it a dog?"};
            for (int row = 0; row < 2; row++) {
                LlavaPrompt p = LlavaPrompt.build(cfg, tok, ChatTemplate.LLAVA_INTERLEAVE, questions[row], 16, 8);
                assertEquals("<|im_start|>user <image>\n" + questions[row] + "<|im_end|><|im_start|>assistant", p.text());
                assertArrayEquals(java.util.Arrays.copyOfRange(all, row * t, (row + 1) * t), p.ids(), "prompt " + row);
            }
        }
    }

    @Test
    void theTemplatesAreParsedByNameAndAnUnknownOneListsThem() {
        assertEquals(ChatTemplate.LLAVA_1_5, ChatTemplate.parse(" LLaVA-1.5 "));
        assertEquals(ChatTemplate.LLAVA_INTERLEAVE, ChatTemplate.parse("llava-interleave"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse("vicuna"));
        assertEquals("chat template 'vicuna' is not supported; saelab renders llava-1.5 (USER: <image>\\n{question} ASSISTANT:),"
                + " llava-interleave (<|im_start|>user <image>\\n{question}<|im_end|><|im_start|>assistant)", e.getMessage());
    }
}

package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Stop tokens and lengths on the llava_llama decoder, whose greedy continuations are (fixture
 * {@code generate.new_ids}) [19, 48, 63, 293, 256, 302, 188, 41] and [169, 63, 246, 293, 256, 25, 28, 96]:
 * a stopped row keeps its stop token and then gets the pad id, decoding ends when every row has stopped,
 * and a prompt plus new tokens beyond {@code max_position_embeddings} is one sentence.
 */
class GenerationStopTest {

    @Test
    void aStoppedRowIsPaddedAndDecodingEndsWhenAllStop() throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture("llava_llama")) {
            long[][] mask = f.rows("attention_mask");
            GenerationOptions greedy = GenerationOptions.greedy(8);
            try (GenerationResult r = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, greedy.withStop(new int[] {48}, 301))) {
                assertArrayEquals(new long[][] {{19, 48, 301, 301, 301, 301, 301, 301}, {169, 63, 246, 293, 256, 25, 28, 96}}, r.newIds());
                assertEquals(8, r.stepLogits().getShape().get(1));
            }
            try (GenerationResult r = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, greedy.withStop(new int[] {7, 293}, 301))) {
                assertArrayEquals(new long[][] {{19, 48, 63, 293}, {169, 63, 246, 293}}, r.newIds());
                assertEquals(4, r.steps());
            }
            try (GenerationResult r = Generation.generate(f.lm, f.out("text.inputs_embeds"), mask, GenerationOptions.greedy(3))) {
                assertArrayEquals(new long[][] {{19, 48, 63}, {169, 63, 246}}, r.newIds());
            }
        }
    }

    @Test
    void tooManyNewTokensForTheContextIsOneSentence() throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture("llava_llama")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Generation.generate(f.lm, f.out("text.inputs_embeds"), null, GenerationOptions.greedy(86)));
            assertTrue(e.getMessage().startsWith("a prompt of 44 tokens plus 86 new tokens needs 129 positions, more than"
                    + " max_position_embeddings 128 of "), e.getMessage());
            assertTrue(e.getMessage().endsWith("config.json (text_config)"), e.getMessage());
            Generation.generate(f.lm, f.out("text.inputs_embeds"), null, GenerationOptions.greedy(85)).close(); // exactly fits
        }
    }
}

package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.io.Json;
import saelab.lm.TextTokenizer;

/**
 * The toy VLM's tokenizer: llava-1.5's id layout, one token per word, {@code <s>} prepended, special tokens split out,
 * and the slow files describing the same vocabulary as {@code tokenizer.json}.
 */
class ToyVlmTokenizerFilesTest {

    @TempDir
    Path dir;

    @Test
    void promptsAndAnswersTokeniseWordByWord() throws Exception {
        ToyVlmTokenizerFiles.Ids ids = ToyVlmTokenizerFiles.write(dir, ToyQuestions.words());
        assertEquals(1, ids.bos());
        assertEquals(2, ids.eos());
        assertEquals(ids.vocabSize() - 2, ids.image());
        assertEquals(ids.vocabSize() - 1, ids.pad());
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            // byte b is id 3 + b, in GPT-2's byte-to-character spelling ('A' = 65, space = 'Ġ')
            assertArrayEquals(new long[] {3 + 'A'}, t.encode("A", false));
            long[] p = t.encode(ToyVlmPrompts.prompt("what colour is the circle?"), true);
            String[] tokens = t.tokens(ToyVlmPrompts.prompt("what colour is the circle?"), true);
            assertArrayEquals(new String[] {"<s>", "USER", ":", "Ġ", "<image>", "Ċ", "what", "Ġcolour", "Ġis", "Ġthe", "Ġcircle", "?",
                "ĠASSISTANT", ":"}, tokens);
            assertEquals(ids.image(), p[4]);
            for (ToyQuestion q : ToyQuestions.range(ToyWorld.withSeed(1), 0, 100, 0)) {
                int words = q.answer().split("[ ]+").length + (int) q.answer().chars().filter(c -> c == ',').count();
                assertEquals(words, t.encode(" " + q.answer(), false).length, q.answer());
                assertEquals(" " + q.answer(), t.decode(t.encode(" " + q.answer() + ToyVlmTokenizerFiles.EOS, false), true));
            }
        }
        JsonNode fast = Json.mapper().readTree(Files.readAllBytes(dir.resolve("tokenizer.json"))).get("model");
        JsonNode slow = Json.mapper().readTree(Files.readAllBytes(dir.resolve("vocab.json")));
        assertEquals(fast.get("vocab"), slow);
        List<String> merges = Files.readAllLines(dir.resolve("merges.txt"));
        assertEquals("#version: 0.2", merges.getFirst());
        assertEquals(fast.get("merges").size(), merges.size() - 1);
        for (int i = 1; i < merges.size(); i++) {
            assertEquals(fast.get("merges").get(i - 1).asText(), merges.get(i));
        }
    }
}

package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.model.Golden;

/**
 * The fixtures' {@code tokenizer.json} through {@link TextTokenizer} against {@code tokenizer_cases.json}
 * (computed with the slow transformers 4.45.2 GPT2Tokenizer / Qwen2Tokenizer): ids with and without special
 * tokens, token strings, decoding with and without special tokens. Also: no truncation at DJL's default
 * 512, and one sentence for a folder without the file or with a damaged one.
 */
class TextTokenizerGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void everyCaseMatchesTheReference(String fixture) throws IOException {
        Path dir = Golden.dir(fixture);
        JsonNode cases = new ObjectMapper().readTree(dir.resolve("tokenizer_cases.json").toFile()).get("cases");
        int n = 0;
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            for (JsonNode c : cases) {
                String text = c.get("text").asText();
                String label = fixture + " " + c.get("text").toString();
                long[] ids = longs(c.get("ids"));
                assertArrayEquals(ids, tok.encode(text, false), label + " ids");
                assertArrayEquals(longs(c.get("ids_with_special_tokens")), tok.encode(text), label + " ids_with_special_tokens");
                String[] tokens = new String[c.get("tokens").size()];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = c.get("tokens").get(i).asText();
                }
                assertArrayEquals(tokens, tok.tokens(text, false), label + " tokens");
                assertEquals(c.get("decoded").asText(), tok.decode(ids, false), label + " decoded");
                assertEquals(c.get("decoded_skip_special").asText(), tok.decode(ids, true), label + " decoded_skip_special");
                n++;
            }
        }
        assertTrue(n >= 30, fixture + ": only " + n + " cases");
    }

    @Test
    void longPromptsAreNotTruncated() throws IOException {
        try (TextTokenizer tok = TextTokenizer.load(Golden.dir("llava_llama"))) {
            long[] ids = tok.encode("USER: " + "<image>".repeat(729) + "\nWhat is it? ASSISTANT:");
            assertEquals(729, java.util.Arrays.stream(ids).filter(i -> i == 300).count());
            assertEquals(1, ids[0]); // <s>
        }
    }

    @Test
    void aFolderWithoutTokenizerJsonIsOneSentence(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(dir));
        assertEquals(dir + ": no tokenizer.json; expected a Hugging Face tokenizer folder (saelab reads only the fast-tokenizer file,"
                + " not vocab.json/merges.txt or tokenizer.model)", e.getMessage());
    }

    @Test
    void aDamagedTokenizerJsonIsOneSentence(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": 3}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextTokenizer.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve("tokenizer.json") + ": not a valid Hugging Face tokenizer file ("), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    private static long[] longs(JsonNode a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asLong();
        }
        return r;
    }
}

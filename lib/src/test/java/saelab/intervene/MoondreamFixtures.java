package saelab.intervene;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import saelab.io.Json;
import saelab.model.Golden;

/**
 * The moondream2 golden fixture as a model folder {@code saelab vlm ask} reads: its config and weights, and a word-level
 * tokenizer written here (the fixture has none) whose word {@code wN} is id N, so the fixture's question ids 17 42 8 99 23
 * are the text "w17 w42 w8 w99 w23".
 */
public final class MoondreamFixtures {

    private MoondreamFixtures() {}

    /** Copies the fixture's config and weights into {@code dir} and writes the tokenizer; returns {@code dir}. */
    public static Path folder(Path dir) throws IOException {
        Path golden = Golden.dir("moondream");
        Files.createDirectories(dir);
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(golden.resolve(f), dir.resolve(f));
        }
        writeWordTokenizer(dir.resolve("tokenizer.json"), 128);
        return dir;
    }

    /** A Hugging Face tokenizer.json: words split on white space, {@code wN} is id N, decoded with spaces between words. */
    public static void writeWordTokenizer(Path file, int vocab) throws IOException {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "WhitespaceSplit");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode m = root.putObject("model");
        m.put("type", "WordLevel");
        ObjectNode v = m.putObject("vocab");
        for (int i = 0; i < vocab; i++) {
            v.put("w" + i, i);
        }
        m.put("unk_token", "w127");
        Json.mapper().writeValue(file.toFile(), root);
    }

}

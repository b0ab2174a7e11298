package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.intervene.MoondreamFixtures;
import saelab.intervene.VlmAskOutputs;
import saelab.io.Json;
import saelab.model.Golden;

/** {@code saelab vlm ask} on a moondream2 folder: the answers and their record; a folder without a tokenizer is one sentence. */
class VlmAskMoondreamCliTest {

    @TempDir
    Path tmp;

    @Test
    void theCommandLineAsksMoondreamToo() throws Exception {
        Path folder = MoondreamFixtures.folder(tmp.resolve("moondream"));
        String question = "w17 w42 w8 w99 w23";
        Path png = tmp.resolve("image.png");
        Files.copy(Golden.dir("moondream").resolve("image.png"), png, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path out = tmp.resolve("ask");
        CliRun.Result r = CliRun.run("vlm", "ask", "--model", folder.toString(), "--image", png.toString(), "--question", question,
                "--samples", "3", "--temperature", "0", "--max-tokens", "8", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("moondream-query prompt, 740 tokens"), r.out());
        JsonNode json = Json.mapper().readTree(out.resolve(VlmAskOutputs.FILE).toFile());
        assertEquals("moondream-query", json.path("template").asText(), json.toString());
        CliRun.Result template = CliRun.run("vlm", "ask", "--model", folder.toString(), "--image", png.toString(), "--question", question,
                "--template", "llava-interleave");
        assertEquals(2, template.code(), template.err());
        assertTrue(template.err().contains("--template llava-interleave: a moondream2 model is asked with its own query template"),
                template.err());
        Path bare = Files.createDirectories(tmp.resolve("no-tokenizer"));
        Files.copy(folder.resolve("config.json"), bare.resolve("config.json"));
        Files.copy(folder.resolve("model.safetensors"), bare.resolve("model.safetensors"));
        CliRun.Result none = CliRun.run("vlm", "ask", "--model", bare.toString(), "--image", png.toString(), "--question", question);
        assertEquals(2, none.code(), none.err());
        assertTrue(none.err().contains("no tokenizer.json") && none.err().strip().lines().count() == 1, none.err());
    }
}

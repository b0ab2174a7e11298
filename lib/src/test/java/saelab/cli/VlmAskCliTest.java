package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.model.Golden;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * {@code saelab vlm ask} end to end on the llava_llama golden fixture (random weights, so the answers are gibberish but
 * deterministic) with a CLIP preprocessing config for its 32-pixel tower: both top-5 lists printed, answers.json and the
 * paired-bars figure written, the same seed giving the same answers; bad input as one line with exit code 2.
 */
class VlmAskCliTest {

    private static final String PREFIX = "saelab vlm ask: error: ";

    @TempDir
    Path tmp;

    /** The fixture's model and tokenizer files and a preprocessing config (the fixture has none). */
    private Path model() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("llava"));
        Path src = Golden.dir("llava_llama");
        for (String f : List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"image_processor_type": "CLIPImageProcessor", "do_resize": true, "size": {"shortest_edge": 32},
                 "resample": 3, "do_center_crop": true, "crop_size": {"height": 32, "width": 32}, "do_rescale": true,
                 "rescale_factor": 0.00392156862745098, "do_normalize": true, "do_convert_rgb": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_std": [0.26862954, 0.26130258, 0.27577711]}
                """);
        return dir;
    }

    private Path image() throws Exception {
        return Files.write(tmp.resolve("image.png"), CliFixtures.png(40, 48, 3));
    }

    private Path sae(String name, int dModel, int dSae) throws Exception {
        Path file = tmp.resolve(name);
        try (NDManager nd = NDManager.newBaseManager()) {
            Sae s = Sae.initialise(SaeConfig.builder(SaeKind.RELU, dModel, dSae).seed(2).build(), nd);
            SaeCheckpoint.write(file, s, Map.of("layer", 1));
        }
        return file;
    }

    private Path edit(String name, String json) throws Exception {
        return Files.writeString(tmp.resolve(name), json);
    }

    /** The arguments of an ask of 6 answers; {@code more} holds option-value pairs that replace or add to the defaults. */
    private String[] ask(Path model, String... more) throws Exception {
        List<String> a = new ArrayList<>(List.of("vlm", "ask", "--model", model.toString(), "--image", image().toString(), "--question",
                "Is there a cat here?", "--samples", "6", "--temperature", "1", "--seed", "3", "--max-tokens", "6", "--batch", "4"));
        for (int i = 0; i < more.length; i += 2) {
            int at = a.indexOf(more[i]);
            if (at < 0) {
                a.add(more[i]);
                a.add(more[i + 1]);
            } else {
                a.set(at + 1, more[i + 1]);
            }
        }
        return a.toArray(String[]::new);
    }

    @Test
    void askWithAnEditPrintsBothListsAndWritesTheAnswersAndTheFigure() throws Exception {
        Path model = model();
        Path sae = sae("sae.safetensors", 32, 64);
        Path edit = edit("edit.json", "{\"latents\": [5], \"operation\": \"set\", \"value\": 200, \"tokens\": \"all_patches\"}");
        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run(ask(model, "--sae", sae.toString(), "--edit", edit.toString(), "--out", out.toString()));
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("before the edit:") && r.out().contains("after the edit (") && r.out().contains("changed pairs (same seed): "),
                r.out());
        for (String f : List.of("answers.json", "answers.png", "answers.pdf", "answers.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        JsonNode j = Json.mapper().readTree(out.resolve("answers.json").toFile());
        assertEquals("Is there a cat here?", j.get("question").asText());
        assertEquals("llava-1.5", j.get("template").asText());
        assertEquals("USER: <image>\nIs there a cat here? ASSISTANT:", j.get("prompt").asText());
        assertEquals(16, j.get("image_tokens").asInt());
        assertEquals(6, j.get("sampling").get("samples").asInt());
        assertEquals(3, j.get("sampling").get("seed").asLong());
        assertEquals(6, j.get("before").get("answers").size());
        assertEquals(6, j.get("after").get("answers").size());
        assertTrue(j.get("before").get("top").size() >= 1 && j.get("before").get("top").size() <= 5);
        int counted = 0;
        for (JsonNode e : j.get("before").get("top")) {
            assertTrue(e.has("answer") && e.has("frequency"));
            counted += e.get("count").asInt();
        }
        assertTrue(counted <= 6 && counted > 0);
        assertEquals(List.of(5), Json.mapper().convertValue(j.get("edit").get("latents"), List.class));
        assertEquals("set", j.get("edit_resolved").get("operation").asText());
        assertTrue(j.get("changed_pairs").asInt() >= 0 && j.get("changed_pairs").asInt() <= 6);
        assertTrue(j.get("files").toString().contains("answers.png"));
        String csv = Files.readString(out.resolve("answers.csv"));
        assertTrue(csv.startsWith("answer,before_count,before_frequency,after_count,after_frequency"), csv);

        Path again = tmp.resolve("again");
        assertEquals(0, CliRun.run(ask(model, "--sae", sae.toString(), "--edit", edit.toString(), "--out", again.toString(), "--batch", "6"))
                .code());
        JsonNode k = Json.mapper().readTree(again.resolve("answers.json").toFile());
        assertEquals(j.get("before").get("answers"), k.get("before").get("answers"), "the same seed gives the same answers");
        assertEquals(j.get("after").get("answers"), k.get("after").get("answers"));
    }

    @Test
    void askWithoutAnEditListsTheAnswersAndWritesNothingWithoutOut() throws Exception {
        Path model = model();
        CliRun.Result r = CliRun.run(ask(model, "--temperature", "0"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("answers:\n  1. "), r.out());
        assertFalse(r.out().contains("after the edit"), r.out());
        assertTrue(r.out().contains("(1 distinct of 6)"), "greedy answers are all the same: " + r.out());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path model = model();
        Path sae = sae("sae.safetensors", 32, 64);
        Path narrow = sae("narrow.safetensors", 48, 64);
        Path edit = edit("edit.json", "{\"latents\": [5], \"operation\": \"ablate\", \"tokens\": \"all_patches\"}");
        Path beyond = edit("beyond.json", "{\"latents\": [2, 64], \"operation\": \"ablate\", \"tokens\": [0, 3]}");
        Path noTokenizer = Files.createDirectories(tmp.resolve("no-tokenizer"));
        Path broken = Files.writeString(tmp.resolve("broken.png"), "not an image at all");

        one(ask(model, "--tokenizer", noTokenizer.toString()), noTokenizer + ": no tokenizer.json; expected a Hugging Face tokenizer folder");
        one(ask(model, "--template", "chatml"), "chat template 'chatml' is not supported; saelab renders llava-1.5 (USER: <image>\\n{question}"
                + " ASSISTANT:), llava-interleave (");
        one(ask(model, "--question", "why ".repeat(120)), "more than the language model's context of 128");
        one(ask(model, "--sae", narrow.toString(), "--edit", edit.toString()), "the SAE reads d_model=48 activations but the vision"
                + " features the language model reads have width 32");
        one(ask(model, "--sae", sae.toString(), "--edit", beyond.toString()), "latent 64 is outside the SAE's d_sae=64 latents (0-based"
                + " 0..63)");
        one(ask(model, "--edit", edit.toString()), "--edit needs --sae");
        one(ask(model, "--image", broken.toString()), broken.toString());
    }

    private static void one(String[] args, String expected) {
        CliRun.Result r = CliRun.run(args);
        assertEquals(2, r.code(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith(PREFIX) && err.contains(expected), err);
        assertEquals(1, err.lines().filter(l -> !l.startsWith("sampling answers")).count(), err);
    }
}

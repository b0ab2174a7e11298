package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.cli.ControlFixtures.bad;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.ControlFixtures.ConceptRow;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldWriter;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.toy.ToyBackboneKind;
import saelab.toy.ToyBackboneSpec;
import saelab.toy.ToyBackboneTrainer;
import saelab.toy.ToyVlmSpec;
import saelab.toy.ToyVlmTrainer;

/**
 * {@code saelab toy questions} and {@code saelab control vlm} end to end on a quick toy VLM (a quick toy CLIP, a quick toy
 * VLM over its block -2), a random ReLU SAE of its selected features analysed on a capture of the same block, and the
 * colour questions of a held-out toy world: the protocol's files and figure are written, the no-edit answers are the clean
 * ones on every question, every question of the file is asked; bad input (a missing or unknown-layout question file, an
 * unreadable or incomplete row, a field of the wrong type, an image outside the root or missing, an unknown answer, a
 * concepts folder without the family, a model folder that is not a VLM, no questions) is one line each, exit 2.
 */
class ControlVlmCliTest {

    private static final int D_SAE = 48;

    @TempDir
    Path tmp;

    @Test
    void theProtocolRunsFromFilesAndBadInputIsOneSentenceEach() throws Exception {
        ToyWorld train = ToyWorld.withSeed(0);
        Path clip = tmp.resolve("clip");
        ToyBackboneTrainer.train(ToyBackboneSpec.quick(ToyBackboneKind.CLIP), train, clip, null);
        Path vlm = tmp.resolve("vlm");
        ToyVlmTrainer.train(ToyVlmSpec.quick(), train, clip, vlm, null);
        Path world = tmp.resolve("heldout");
        ToyWorldWriter.write(world, ToyWorld.withSeed(1), 16);

        JsonNode vision = Json.mapper().readTree(clip.resolve("config.json").toFile()).path("vision_config");
        int d = vision.path("hidden_size").asInt();
        int block = vision.path("num_hidden_layers").asInt() - 2; // hidden_states[-2], the layer the VLM reads
        Path sae = randomSae(tmp.resolve("sae.safetensors"), d, block);
        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", clip.toString(), "--dataset", "ade20k:" + world, "--split", "train", "--layers",
                Integer.toString(block), "--tokens", "patches", "--dtype", "f32", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());
        Path analysis = tmp.resolve("analysis");
        CliRun.Result an = CliRun.run("analyze", "--sae", sae.toString(), "--cache", cache.toString(), "--out", analysis.toString(), "--k", "2");
        assertEquals(0, an.code(), an.err());
        List<ConceptRow> colours = new ArrayList<>(List.of(new ConceptRow(0, "none", 40)));
        for (ToyWorldColour c : ToyWorldColour.values()) {
            colours.add(new ConceptRow(c.ordinal() + 1, c.word(), c.ordinal()));
        }
        LinkedHashMap<String, List<ConceptRow>> families = new LinkedHashMap<>();
        families.put("colour", colours);
        Path concepts = ControlFixtures.concepts(tmp.resolve("concepts"), Sha256.of(sae), families);

        Path questions = tmp.resolve("q/colour.jsonl");
        Files.createDirectories(questions.getParent());
        CliRun.Result q = CliRun.run("toy", "questions", "--world", world.toString(), "--types", "colour", "--images", "16", "--out",
                questions.toString());
        assertEquals(0, q.code(), q.err());
        int asked = Files.readAllLines(questions).size();
        assertTrue(asked >= 8, "colour questions about 16 scenes: " + asked);

        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run(args(vlm, sae, analysis, concepts, questions, world, out));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("per-class.csv", "answers.csv", "summary.json", "vlm-protocol.png", "vlm-protocol.pdf", "vlm-protocol.csv",
                "index.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(r.out().contains("no-edit answers identical token for token: " + asked + " of " + asked), r.out());
        assertTrue(r.err().contains("vlm protocol: " + asked + "/" + asked + " (100%) questions"), "progress: " + r.err());
        JsonNode summary = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(asked, summary.at("/faithfulness/no_edit_identical_tokens").asInt());
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        assertTrue(index.get("files").toString().contains("vlm-protocol.png"), index.get("files").toString());
        assertEquals(Sha256.of(questions), index.at("/inputs/questions_sha256").asText());
        assertEquals(List.of("per-class.csv", "answers.csv", "summary.json"),
                Json.mapper().convertValue(index.get("files"), List.class).subList(0, 3));
        assertEquals(asked + 1, Files.readAllLines(out.resolve("answers.csv")).size());
        String first = Files.readAllLines(questions).getFirst();
        String image = Json.mapper().readTree(first).get("image").asText();

        // bad input: one line each, exit 2
        String prefix = "saelab control vlm: error: ";
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        Path[] files = {
            dir.resolve("missing.jsonl"),
            write(dir.resolve("q.txt"), first),
            write(dir.resolve("json.jsonl"), first + "\n{\"image\": \"" + image + "\", \"question\": "),
            write(dir.resolve("no-answer.jsonl"), "{\"image\": \"" + image + "\", \"question\": \"what colour is the circle?\"}"),
            write(dir.resolve("number.jsonl"), "{\"image\": \"" + image + "\", \"question\": 7, \"answer\": \"red\"}"),
            write(dir.resolve("outside.jsonl"), "{\"image\": \"../q/colour.jsonl\", \"question\": \"what colour?\", \"answer\": \"red\"}"),
            write(dir.resolve("absent.jsonl"), "{\"image\": \"nope.png\", \"question\": \"what colour?\", \"answer\": \"red\"}"),
            write(dir.resolve("pink.jsonl"), "{\"image\": \"" + image + "\", \"question\": \"what colour?\", \"answer\": \"pink\"}"),
            write(dir.resolve("columns.csv"), "image,question\n" + image + ",what colour?\n"),
            write(dir.resolve("blank.csv"), "image,question,answer\n" + image + ",,red\n"),
            write(dir.resolve("empty.jsonl"), "\n\n"),
        };
        String[] expected = {
            files[0] + " does not exist; expected a question file",
            files[1] + " is neither .jsonl nor .csv",
            files[2] + " line 2 is not valid JSON",
            files[3] + " line 1 has no field 'answer'",
            files[4] + " line 1: field 'question' is a number, not text",
            files[5] + " line 1: image '../q/colour.jsonl' leaves the image root",
            files[6] + " line 1: image 'nope.png' is not a file under the image root",
            files[7] + " line 1: answer 'pink' is not a known class; expected one of none, red, green",
            files[8] + " has no column 'answer'",
            files[9] + " row 1: field 'question' is empty",
            files[10] + " holds no question",
        };
        for (int i = 0; i < files.length; i++) {
            String e = bad(args(vlm, sae, analysis, concepts, files[i], world, out));
            assertTrue(e.startsWith(prefix + expected[i]), "case " + i + ": " + e);
        }
        String e = bad(args(vlm, sae, analysis, concepts, questions, world, out, "--family", "texture"));
        assertTrue(e.startsWith(prefix + concepts.resolve("concepts.csv") + " has no label family 'texture'"), e);
        e = bad(args(clip, sae, analysis, concepts, questions, world, out));
        assertTrue(e.startsWith(prefix + "the model folder " + clip + " holds no LLaVA model"), e);
        assertEquals(prefix + "--max-questions is 0; expected at least 1",
                bad(args(vlm, sae, analysis, concepts, questions, world, out, "--max-questions", "0")));
        assertEquals(prefix + "--swap-dose is 0.0; expected a positive number of the added latent's maxima (1 for the protocol's swap)",
                bad(args(vlm, sae, analysis, concepts, questions, world, out, "--swap-dose", "0")));
        assertEquals(prefix + "--doses lists the dose 1 twice; expected distinct doses",
                bad(args(vlm, sae, analysis, concepts, questions, world, out, "--doses", "1,1")));
        e = bad(new String[] {"toy", "questions", "--world", tmp.resolve("q").toString(), "--out", dir.resolve("x.jsonl").toString()});
        assertTrue(e.startsWith("saelab toy questions: error: " + tmp.resolve("q") + " has no world.json"), e);
    }

    private static Path write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        return file;
    }

    private static String[] args(Path model, Path sae, Path analysis, Path concepts, Path questions, Path root, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("control", "vlm", "--model", model.toString(), "--sae", sae.toString(), "--analysis",
                analysis.toString(), "--concepts", concepts.toString(), "--family", "colour", "--questions", questions.toString(), "--root",
                root.toString(), "--out", out.toString(), "--random-latents", "1", "--random-directions", "1", "--bootstrap", "100",
                "--tolerance", "1.0"));
        List<String> extra = List.of(more);
        if (extra.contains("--family")) {
            int at = a.indexOf("--family");
            a.remove(at + 1);
            a.remove(at);
        }
        a.addAll(extra);
        return a.toArray(String[]::new);
    }

    /** A ReLU SAE with Gaussian encoder and decoder rows and zero biases: about half of its latents fire on any token. */
    private static Path randomSae(Path file, int d, int layer) throws Exception {
        SplittableRandom rng = new SplittableRandom(11);
        float[] wEnc = new float[d * D_SAE];
        float[] wDec = new float[D_SAE * d];
        for (int i = 0; i < wEnc.length; i++) {
            wEnc[i] = (float) (rng.nextGaussian() / Math.sqrt(d));
            wDec[i] = (float) (rng.nextGaussian() / Math.sqrt(d));
        }
        SaeCheckpoint.write(file, SaeConfig.builder(SaeKind.RELU, d, D_SAE).build(),
                new SaeCheckpoint.Arrays(wEnc, new float[D_SAE], wDec, new float[d], null), java.util.Map.of("layer", layer));
        return file;
    }
}

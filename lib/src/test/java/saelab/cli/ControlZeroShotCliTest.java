package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.cli.ControlFixtures.PLANTED;
import static saelab.cli.ControlFixtures.bad;
import static saelab.cli.ControlFixtures.col;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.ControlFixtures.ConceptRow;
import saelab.io.Json;
import saelab.io.Sha256;

/**
 * {@code saelab control zeroshot} end to end on the tiny CLIP (3 blocks, width 32, 4 x 4 patches, a text tower) with
 * a zero-shot head made by {@code saelab head zeroshot} for the three classes of an image folder, the planted SAE of
 * {@link ControlFixtures} at block 1, and two classes with a chosen latent (one whose name has a space).
 *
 * <p>Criteria fixed before running: no-edit agreement exactly 1 on every image; every output file written, with one
 * per-class row per class and condition and the index naming the zero-shot command; the real edit's transitions
 * account for every image of its class; a head of the wrong kind and a head for other classes refused in one line.
 */
class ControlZeroShotCliTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "tree frog");

    @TempDir
    Path tmp;

    @Test
    void zeroShotHeadOnTinyClipWritesEveryFileWithExactNoEditAgreement() throws Exception {
        Path model = CliFixtures.clipModel(tmp.resolve("clip"));
        Path names = tmp.resolve("classes.txt");
        Files.writeString(names, String.join("\n", CLASSES) + "\n");
        Path head = tmp.resolve("zs.safetensors");
        CliRun.Result made = CliRun.run("head", "zeroshot", "--model", model.toString(), "--classes", names.toString(), "--templates",
                "simple7", "--out", head.toString());
        assertEquals(0, made.code(), made.err());
        Path root = tmp.resolve("pets");
        ControlFixtures.imageFolder(root, "train", CLASSES, 2, 50);
        ControlFixtures.imageFolder(root, "val", CLASSES, 3, 0);
        Path sae = ControlFixtures.plantedSae(tmp.resolve("sae.safetensors"), ControlFixtures.unitZeroMean(new SplittableRandom(7)), 1);

        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + root, "--split", "train", "--layers",
                "1", "--tokens", "patches", "--dtype", "f32", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());
        Path analysis = tmp.resolve("analysis");
        CliRun.Result an = CliRun.run("analyze", "--sae", sae.toString(), "--cache", cache.toString(), "--out", analysis.toString(), "--k", "2");
        assertEquals(0, an.code(), an.err());
        Path concepts = ControlFixtures.concepts(tmp.resolve("concepts"), Sha256.of(sae), List.of(new ConceptRow(0, "cat", PLANTED),
                new ConceptRow(1, "dog", -1), new ConceptRow(2, "tree frog", PLANTED + 1)));

        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run(ControlFixtures.args("zeroshot", model, sae, head, "folder:" + root, concepts, analysis, out));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("9 images, 2 classes; no-edit agreement 1.0"), r.out());
        for (String f : List.of("per-class.csv", "summary.json", "dose-response.csv", "dose-response-macro.png", "dose-response-macro.pdf",
                "dose-response-macro.csv", "transitions.csv", "edits/class-0.json", "edits/class-2.json", "index.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode summary = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(1.0, summary.at("/faithfulness/no_edit_agreement").asDouble());
        assertEquals(9, summary.at("/faithfulness/compared").asLong());
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        assertEquals("saelab control zeroshot", index.get("tool").asText());
        assertEquals(Sha256.of(head), index.at("/inputs/head_sha256").asText());
        List<String> files = new ArrayList<>();
        index.get("files").forEach(n -> files.add(n.asText()));
        for (String f : files) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(PLANTED + 1, Json.mapper().readTree(out.resolve("edits/class-2.json").toFile()).at("/real/latents/0").asInt());

        List<String> rows = Files.readAllLines(out.resolve("per-class.csv"));
        assertEquals(String.join(",", ControlFixtures.HEADER), rows.getFirst());
        List<String> keys = new ArrayList<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            assertEquals(ControlFixtures.HEADER.size(), f.length, row);
            keys.add(f[col("class")] + "/" + f[col("name")] + "/" + f[col("condition")]);
            assertEquals("3", f[col("images_with_class")], row);
            assertTrue(!f[col("delta_p")].isEmpty() && f[col("delta_iou")].isEmpty(), row);
        }
        assertEquals(List.of("0/cat/real", "0/cat/random-latent", "0/cat/random-direction", "2/tree frog/real", "2/tree frog/random-latent",
                "2/tree frog/random-direction"), keys);
        assertEquals(3 * 3 * 3, ControlFixtures.doseRows(out.resolve("dose-response.csv")).size()); // (2 classes + macro) x 3 x 3
        long[] counted = new long[3];
        List<String> transitions = Files.readAllLines(out.resolve("transitions.csv"));
        for (String t : transitions.subList(1, transitions.size())) {
            String[] f = t.split(",");
            counted[Integer.parseInt(f[0])] += Long.parseLong(f[4]);
        }
        assertEquals(3, counted[0]);
        assertEquals(3, counted[2]);

        // bad input: one line each, exit 2
        String prefix = "saelab control zeroshot: error: ";
        Path threeNames = tmp.resolve("two.txt");
        Files.writeString(threeNames, "cat\ndog\n");
        Path two = tmp.resolve("two.safetensors");
        assertEquals(0, CliRun.run("head", "zeroshot", "--model", model.toString(), "--classes", threeNames.toString(), "--templates",
                "simple7", "--out", two.toString()).code());
        assertEquals(prefix + "the head predicts 2 classes but the dataset has 3; expected a head trained on this dataset's labels",
                bad(ControlFixtures.args("zeroshot", model, sae, two, "folder:" + root, concepts, analysis, out)));
        String asClassify = bad(ControlFixtures.args("classify", model, sae, head, "folder:" + root, concepts, analysis, out));
        assertEquals("saelab control classify: error: the head " + head + " is a zeroshot head, but control classify needs a classify head;"
                + " run 'saelab control zeroshot' with it", asClassify);
        String notZs = bad(ControlFixtures.args("zeroshot", model, sae, sae, "folder:" + root, concepts, analysis, out));
        assertTrue(notZs.startsWith(prefix + sae), notZs);
    }
}

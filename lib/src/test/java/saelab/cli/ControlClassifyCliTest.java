package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.cli.ControlFixtures.D;
import static saelab.cli.ControlFixtures.K;
import static saelab.cli.ControlFixtures.PLANTED;
import static saelab.cli.ControlFixtures.bad;
import static saelab.cli.ControlFixtures.perClass;
import static saelab.cli.ControlFixtures.value;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.ControlFixtures.ConceptRow;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.store.RecordedLayer;

/**
 * {@code saelab control classify} end to end on the tiny DINOv2 (3 blocks, width 32, 4 x 4 patches) with an image
 * folder of three classes, and a planted case: the planted latent {@value ControlFixtures#PLANTED} of a ReLU SAE at
 * block 1 fires with value K on every token and decodes to a unit direction u; eight other latents fire as often and
 * decode to random directions. A linear probe on the pooled output (the normed CLS token) gives class {@value #TARGET}
 * the logit b − v·z, where v is the mean shift of the pooled output when every patch is pushed by −K·u at block 1 (the
 * ablation), and b lies halfway between the clean and the pushed projections; the other classes' logits are 0. Every
 * clean image is therefore predicted as class {@value #TARGET}, and ablating the planted latent on every patch must
 * flip it to class 0, while the controls move the same patches by the same norm in other directions. The concepts
 * file holds two label families, numbered otherwise than the head: {@code --family} picks one and its rows are matched
 * to the head's classes by name.
 *
 * <p>Criteria fixed before running: no-edit agreement exactly 1; every output file written; for the target class the
 * real edit's Δp(target) below both random controls' (a larger drop) with the paired real − control interval
 * entirely below 0, and its top-1 flip rate above both controls' with the paired interval of the difference
 * (summary.json, micro) entirely above 0.
 */
class ControlClassifyCliTest {

    private static final int TARGET = 1;
    private static final List<String> CLASSES = List.of("apple", "banana", "cherry");

    @TempDir
    Path tmp;

    @Test
    void plantedLatentFlipsItsClassFarMoreThanBothRandomControls() throws Exception {
        Path model = CliFixtures.captureModel(tmp.resolve("model"));
        Path root = tmp.resolve("fruit");
        ControlFixtures.imageFolder(root, "train", CLASSES, 2, 50);
        ControlFixtures.imageFolder(root, "val", CLASSES, 4, 0);
        float[] u = ControlFixtures.unitZeroMean(new SplittableRandom(7));
        Path sae = ControlFixtures.plantedSae(tmp.resolve("sae.safetensors"), u, 1);
        String sha = HeadProvenance.modelOf("m", model).weightsSha256();
        List<Path> val;
        try (Stream<Path> s = Files.walk(root.resolve("val"))) {
            val = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        Path head = plantedProbe(tmp.resolve("probe.safetensors"), model, val, u, model.toString(), sha);

        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + root, "--split", "train", "--layers",
                "1", "--tokens", "patches", "--dtype", "f32", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());
        Path analysis = tmp.resolve("analysis");
        CliRun.Result an = CliRun.run("analyze", "--sae", sae.toString(), "--cache", cache.toString(), "--out", analysis.toString(), "--k", "2");
        assertEquals(0, an.code(), an.err());
        // two label families in one file; 'fruit' numbers its classes otherwise than the head (banana is 2 there, 1 in the
        // head) and has a 'none' row, which no head class matches; 'ripeness' would choose other latents for apple and banana
        java.util.SequencedMap<String, List<ConceptRow>> families = new java.util.LinkedHashMap<>();
        families.put("ripeness", List.of(new ConceptRow(0, "apple", 2), new ConceptRow(1, "banana", 7), new ConceptRow(2, "cherry", -1)));
        families.put("fruit", List.of(new ConceptRow(0, "none", 3), new ConceptRow(1, "cherry", -1), new ConceptRow(2, "banana", PLANTED),
                new ConceptRow(3, "apple", -1)));
        Path concepts = ControlFixtures.concepts(tmp.resolve("concepts"), Sha256.of(sae), families);

        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run(ControlFixtures.args("classify", model, sae, head, "folder:" + root, concepts, analysis, out, "--class-mean",
                "--train-cache", cache.toString(), "--family", "fruit"));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("per-class.csv", "summary.json", "dose-response.csv", "dose-response-macro.png", "dose-response-macro.pdf",
                "dose-response-macro.csv", "transitions.csv", "edits/class-1.json", "index.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode summary = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("classify", summary.get("task").asText());
        assertEquals(1.0, summary.at("/faithfulness/no_edit_agreement").asDouble());
        assertEquals(12, summary.at("/faithfulness/compared").asLong());
        assertEquals(12, summary.get("images_used").asInt());
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        assertEquals("saelab control classify", index.get("tool").asText());
        assertEquals(List.of(TARGET), Json.mapper().convertValue(index.at("/parameters/classes"), List.class)); // the default classes
        assertEquals("fruit", index.at("/inputs/family").asText());
        assertTrue(index.get("files").toString().contains("transitions.csv"));
        JsonNode edit = Json.mapper().readTree(out.resolve("edits/class-1.json").toFile());
        assertEquals(PLANTED, edit.at("/real/latents/0").asInt());
        assertEquals("all_patches", edit.at("/real/tokens").asText());
        List<String> keys = new java.util.ArrayList<>();
        edit.get("random_directions").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("draws", "sharing", "norm", "seed"), keys, "the edits file lists its fields in a fixed order");

        Map<String, String[]> rows = perClass(out.resolve("per-class.csv"));
        String[] real = rows.get("real");
        assertEquals(4, (int) value(real, "images_with_class"));
        double realFlips = value(real, "target_rate");
        double realDeltaP = value(real, "delta_p");
        for (String control : List.of("random-latent", "random-direction")) {
            String[] c = rows.get(control);
            assertTrue(realDeltaP < value(c, "delta_p"), control + ": real delta p " + realDeltaP + " vs " + value(c, "delta_p"));
            assertTrue(value(c, "real_minus_control_upper") < 0, control + ": real - control delta p interval "
                    + value(c, "real_minus_control_lower") + ".." + value(c, "real_minus_control_upper"));
            assertTrue(realFlips > value(c, "target_rate"), control + ": real flip rate " + realFlips + " vs " + value(c, "target_rate"));
            assertTrue(summary.at("/differences/real-minus-" + control + "/target-flip/micro/lower").asDouble() > 0, control + " flip difference");
        }
        assertTrue(rows.containsKey("class-mean"), "the class-mean control of an image-labelled training cache");
        // where the flips go: the target images' clean top-1 is the target, and the ablation sends each flip somewhere else
        List<String> transitions = Files.readAllLines(out.resolve("transitions.csv"));
        assertEquals("class,name,from,to,count", transitions.getFirst());
        long moved = 0;
        for (String t : transitions.subList(1, transitions.size())) {
            String[] f = t.split(",");
            assertEquals(String.valueOf(TARGET), f[2], t);
            moved += f[3].equals(f[2]) ? 0 : Long.parseLong(f[4]);
        }
        assertEquals(Math.round(realFlips * 4), moved);
        // setting the latent to 0 is the ablation: every target image flips, in every resample; 2 x max pushes the other way
        String dose = Files.readString(out.resolve("dose-response.csv"));
        assertTrue(dose.contains("\nmacro,,real,1,0,1.00000,1.00000,1.00000,"), dose);
        assertTrue(dose.contains("\n1,banana,real,1,2,0.00000,0.00000,0.00000,"), dose);
        List<String[]> doseRows = ControlFixtures.doseRows(out.resolve("dose-response.csv"));
        assertEquals(4 * 3 * 2, doseRows.size()); // (class 1 + macro) x 4 conditions x 3 doses
        assertTrue(Files.readAllLines(out.resolve("dose-response-macro.csv")).getFirst().contains("target_lower"));

        // bad input: one line each, exit 2
        String prefix = "saelab control classify: error: ";
        Path csv = concepts.resolve("concepts.csv");
        assertEquals(prefix + csv + " holds more than one label family ('ripeness' and 'fruit'); expected the classes of one family, or name"
                + " one with --family", bad(ControlFixtures.args("classify", model, sae, head, "folder:" + root, concepts, analysis, out)));
        assertEquals(prefix + csv + " has no label family 'colour'; its families are 'ripeness', 'fruit'",
                bad(ControlFixtures.args("classify", model, sae, head, "folder:" + root, concepts, analysis, out, "--family", "colour")));
        Path ade = tmp.resolve("no-labels");
        ControlFixtures.imageFolder(ade, "val", List.of("only"), 1, 0);
        Files.move(ade.resolve("val/only/img_00.png"), ade.resolve("val/img_00.png"));
        Files.delete(ade.resolve("val/only"));
        assertEquals(prefix + "the dataset folder:" + ade + " has no image labels; control classify needs a labelled dataset",
                bad(ControlFixtures.args("classify", model, sae, head, "folder:" + ade, concepts, analysis, out, "--family", "fruit")));
        Path segHead = tmp.resolve("seg.safetensors");
        new LinearHead(new float[3 * D], new float[3], new HeadProvenance(HeadKind.SEGMENT, model.toString(), null, sha, null, null,
                RecordedLayer.FINAL, D, CLASSES, -1, null, null)).save(segHead);
        assertEquals(prefix + "the head " + segHead + " is a segment head, but control classify needs a classify head; run 'saelab control"
                + " segment' with it",
                bad(ControlFixtures.args("classify", model, sae, segHead, "folder:" + root, concepts, analysis, out)));
        Path twoClasses = tmp.resolve("two.safetensors");
        new LinearHead(new float[2 * D], new float[2], new HeadProvenance(HeadKind.CLASSIFY, model.toString(), null, sha, null, null,
                RecordedLayer.POOLED, D, List.of("apple", "banana"), -1, null, null)).save(twoClasses);
        assertEquals(prefix + "the head predicts 2 classes but the dataset has 3; expected a head trained on this dataset's labels",
                bad(ControlFixtures.args("classify", model, sae, twoClasses, "folder:" + root, concepts, analysis, out, "--family", "fruit")));
    }

    /**
     * The planted probe: class {@value #TARGET}'s row is −v, v the mean pooled output after −K·u on every patch at block 1
     * minus the clean one, its bias halfway between the largest clean projection and the smallest pushed one; the
     * other rows and biases are 0.
     */
    private static Path plantedProbe(Path file, Path model, List<Path> images, float[] u, String modelId, String sha) throws Exception {
        ControlFixtures.Pushed pushed = ControlFixtures.pushed(model, images, u, (out, tower) -> out.pooled().toFloatArray());
        List<float[]> clean = pushed.clean();
        List<float[]> minus = pushed.minus();
        float[] v = new float[D];
        for (int i = 0; i < images.size(); i++) {
            for (int j = 0; j < D; j++) {
                v[j] += (minus.get(i)[j] - clean.get(i)[j]) / images.size();
            }
        }
        double cleanMax = Double.NEGATIVE_INFINITY;
        double pushedMin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < images.size(); i++) {
            cleanMax = Math.max(cleanMax, dot(v, clean.get(i)));
            pushedMin = Math.min(pushedMin, dot(v, minus.get(i)));
        }
        assertTrue(cleanMax < pushedMin, "the planted probe separates pushed from clean images: " + cleanMax + " < " + pushedMin);
        float[] w = new float[CLASSES.size() * D];
        float[] b = new float[CLASSES.size()];
        for (int j = 0; j < D; j++) {
            w[TARGET * D + j] = -v[j];
        }
        b[TARGET] = (float) ((cleanMax + pushedMin) / 2);
        new LinearHead(w, b, new HeadProvenance(HeadKind.CLASSIFY, modelId, null, sha, null, null, RecordedLayer.POOLED, D, CLASSES, -1, null,
                null)).save(file);
        return file;
    }

    private static double dot(float[] v, float[] z) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            s += (double) v[j] * z[j];
        }
        return s;
    }
}

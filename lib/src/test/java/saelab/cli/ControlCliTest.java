package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static saelab.cli.ControlFixtures.D;
import static saelab.cli.ControlFixtures.K;
import static saelab.cli.ControlFixtures.PLANTED;
import static saelab.cli.ControlFixtures.bad;
import static saelab.cli.ControlFixtures.col;
import static saelab.cli.ControlFixtures.perClass;
import static saelab.cli.ControlFixtures.plantedSae;
import static saelab.cli.ControlFixtures.unitZeroMean;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.cli.ControlFixtures.ConceptRow;
import saelab.heads.FinalFeatures;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.io.Json;
import saelab.io.Sha256;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.store.RecordedLayer;

/**
 * {@code saelab control segment} end to end on the tiny DINOv2 (3 blocks, width 32, 4 x 4 patches) with a small ADE20K
 * folder, and a planted case: latent {@value #PLANTED} of a ReLU SAE fires with value K on every token and decodes to a
 * unit direction u; eight other latents fire just as often (the frequency-matched pool) and decode to random unit
 * directions; a segmentation head sends a patch to class {@value #SINK} exactly when its final features point along the
 * features of a patch pushed by −K·u. Ablating the planted latent on the patches of class 1 therefore must flip them,
 * while the controls move the same patches by the same norm in other directions.
 *
 * <p>Criteria fixed before running: no-edit agreement exactly 1; the real edit's target change rate above both random
 * controls' with its 95% interval entirely above each control's interval and the paired difference's interval above
 * 0; every output file written; bad input one line each.
 */
class ControlCliTest {

    private static final int SINK = 3;

    @TempDir
    Path tmp;

    @Test
    void plantedLatentBeatsBothRandomControlsAndEveryFileIsWritten() throws Exception {
        Path model = CliFixtures.captureModel(tmp.resolve("model"));
        Path root = tmp.resolve("ade");
        ade20k(root, "training", 6, 100);
        List<Path> val = ade20k(root, "validation", 10, 0);
        float[] u = unitZeroMean(new SplittableRandom(7));
        Path sae = plantedSae(tmp.resolve("sae.safetensors"), u, 1);
        String sha = HeadProvenance.modelOf("m", model).weightsSha256();
        Path head = plantedHead(tmp.resolve("head.safetensors"), model, val, u, model.toString(), sha);

        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", model.toString(), "--dataset", "ade20k:" + root, "--split", "train", "--layers",
                "1", "--tokens", "patches", "--dtype", "f32", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());
        Path analysis = tmp.resolve("analysis");
        CliRun.Result an = CliRun.run("analyze", "--sae", sae.toString(), "--cache", cache.toString(), "--out", analysis.toString(), "--k", "2");
        assertEquals(0, an.code(), an.err());
        Path concepts = concepts(tmp.resolve("concepts"), Sha256.of(sae));

        Path out = tmp.resolve("out");
        CliRun.Result r = CliRun.run(args(model, sae, head, root, concepts, analysis, out, "--classes", "1", "--class-mean", "--train-cache",
                cache.toString()));
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("per-class.csv", "summary.json", "dose-response.csv", "dose-response-macro.png", "dose-response-macro.pdf",
                "dose-response-macro.csv", "edits/class-1.json", "index.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        JsonNode summary = Json.mapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(1.0, summary.at("/faithfulness/no_edit_agreement").asDouble());
        assertEquals(10 * 16, summary.at("/faithfulness/compared").asLong());
        JsonNode index = Json.mapper().readTree(out.resolve("index.json").toFile());
        assertEquals(0, index.at("/parameters/seed").asLong());
        assertEquals(Sha256.of(sae), index.at("/inputs/sae_sha256").asText());
        assertTrue(index.get("files").toString().contains("per-class.csv"));
        JsonNode edit = Json.mapper().readTree(out.resolve("edits/class-1.json").toFile());
        assertEquals(PLANTED, edit.at("/real/latents/0").asInt());
        assertEquals("class:1", edit.at("/real/tokens").asText());
        assertEquals(4, edit.get("random_latents").size());

        Map<String, String[]> rows = perClass(out.resolve("per-class.csv"));
        String[] real = rows.get("real");
        double realRate = Double.parseDouble(real[col("target_rate")]);
        double realLower = Double.parseDouble(real[col("target_lower")]);
        for (String control : List.of("random-latent", "random-direction")) {
            String[] c = rows.get(control);
            double rate = Double.parseDouble(c[col("target_rate")]);
            double upper = Double.parseDouble(c[col("target_upper")]);
            assertTrue(realRate > rate, control + ": real " + realRate + " vs " + rate);
            assertTrue(realLower > upper, control + ": real interval lower " + realLower + " vs control upper " + upper);
            assertTrue(Double.parseDouble(c[col("real_minus_control_lower")]) > 0, control + " difference interval");
        }
        assertTrue(rows.containsKey("class-mean"));
        String doseCsv = Files.readString(out.resolve("dose-response.csv"));
        assertTrue(doseCsv.contains("macro,,real,1,0,1.00000,"), doseCsv);
        assertEquals(2 * 4 * 3, ControlFixtures.doseRows(out.resolve("dose-response.csv")).size());

        // the random-latent control without the class's concept latents: latents 6 and 7 of the frequency-matched pool are
        // class 1's by the concept step's F1 table, so no draw may be one of them
        java.util.LinkedHashMap<String, List<ConceptRow>> family = new java.util.LinkedHashMap<>();
        family.put("label", List.of(new ConceptRow(1, "class 1", PLANTED), new ConceptRow(2, "class 2", -1)));
        Path labelled = ControlFixtures.concepts(tmp.resolve("labelled-concepts"), Sha256.of(sae), family);
        float[] f1 = new float[3 * ControlFixtures.D_SAE];
        f1[ControlFixtures.D_SAE + PLANTED] = 0.9f;
        f1[ControlFixtures.D_SAE + 6] = 0.7f;
        f1[ControlFixtures.D_SAE + 7] = 0.5f;
        f1[2 * ControlFixtures.D_SAE + 8] = 0.9f; // class 2's, not run: may be drawn
        saelab.io.Npy.writeFloats(labelled.resolve("concept_f1_label.npy"), f1, 3, ControlFixtures.D_SAE);
        Path excl = tmp.resolve("out-excluded");
        CliRun.Result x = CliRun.run(args(model, sae, head, root, labelled, analysis, excl, "--classes", "1", "--doses", "none",
                "--exclude-concept-latents"));
        assertEquals(0, x.code(), x.err());
        JsonNode xi = Json.mapper().readTree(excl.resolve("index.json").toFile());
        assertEquals("[5,6,7]", xi.at("/inputs/excluded_latents").toString());
        JsonNode xe = Json.mapper().readTree(excl.resolve("edits/class-1.json").toFile());
        for (JsonNode d : xe.get("random_latents")) {
            assertFalse(List.of(5, 6, 7).contains(d.at("/latents/0").asInt()), xe.get("random_latents").toString());
        }
        JsonNode xs = Json.mapper().readTree(excl.resolve("summary.json").toFile());
        assertEquals(0, xs.at("/control_draws/draws_that_are_latents_of_their_class").asInt(), xs.get("control_draws").toString());

        // bad input: one line each, exit 2
        String prefix = "saelab control segment: error: ";
        assertTrue(bad(args(model, sae, head, root, concepts, analysis, out, "--classes", "1", "--exclude-concept-latents"))
                .contains("has no F1 table"), "a concepts folder without its F1 table cannot exclude");
        Path other = concepts(tmp.resolve("other-concepts"), "ab".repeat(32));
        String e = bad(args(model, sae, head, root, other, analysis, out, "--classes", "1"));
        assertTrue(e.startsWith(prefix + "the concepts folder " + other + " was made with another SAE"), e);
        assertEquals(prefix + "class 2 (class 2) has no chosen latent in " + concepts.resolve("concepts.csv") + " (no positive unit in the"
                + " training split); leave it out of --classes", bad(args(model, sae, head, root, concepts, analysis, out, "--classes", "2")));
        assertEquals(prefix + "--doses is '1,x'; 'x' is not a finite decimal number",
                bad(args(model, sae, head, root, concepts, analysis, out, "--classes", "1", "--doses", "1,x")));
        Path foreign = plantedHead(tmp.resolve("foreign.safetensors"), model, val, u, "other/model", "cd".repeat(32));
        e = bad(args(model, sae, foreign, root, concepts, analysis, out, "--classes", "1"));
        assertTrue(e.startsWith(prefix + "the head " + foreign + " was trained on model 'other/model'"), e);
    }

    private static String[] args(Path model, Path sae, Path head, Path root, Path concepts, Path analysis, Path out, String... more) {
        return ControlFixtures.args("segment", model, sae, head, "ade20k:" + root, concepts, analysis, out, more);
    }

    /**
     * An ADE20K split of 64 x 64 images: in even images the left half (patch columns 0 and 1 after the centre crop) is
     * class 1 and the right half class 2; odd images are class 2 only.
     */
    private static List<Path> ade20k(Path root, String split, int n, int seed) throws Exception {
        Path imgs = Files.createDirectories(root.resolve("ADEChallengeData2016/images/" + split));
        Path anns = Files.createDirectories(root.resolve("ADEChallengeData2016/annotations/" + split));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String stem = String.format("ADE_%s_%08d", split, i + 1);
            BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            BufferedImage map = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    int s = i + seed;
                    img.setRGB(x, y, ((x * 4 + s * 30) & 0xFF) << 16 | ((y * 3 + s * 7) & 0xFF) << 8 | ((x * y + s) & 0xFF));
                    map.getRaster().setSample(x, y, 0, i % 2 == 0 && x < 32 ? 1 : 2);
                }
            }
            Path f = imgs.resolve(stem + ".jpg");
            ImageIO.write(img, "jpg", f.toFile());
            ImageIO.write(map, "png", anns.resolve(stem + ".png").toFile());
            files.add(f);
        }
        return files;
    }

    /**
     * The head: every class row 0 except class {@value #SINK}, whose row v is the mean final patch feature after −K·u minus
     * that after +K·u at block 1 (the final norm's bias cancels), with the bias halfway between the largest clean
     * projection and the smallest pushed one. Clean patches are class 0 (all logits 0 but a negative sink).
     */
    private static Path plantedHead(Path file, Path model, List<Path> images, float[] u, String modelId, String sha) throws Exception {
        ControlFixtures.Pushed pushed = ControlFixtures.pushed(model, images, u, ControlCliTest::patches);
        List<float[]> clean = pushed.clean();
        List<float[]> minus = pushed.minus();
        List<float[]> plus = pushed.plus();
        float[] v = new float[D];
        int count = 0;
        for (int i = 0; i < minus.size(); i++) {
            for (int k = 0; k < minus.get(i).length; k++) {
                v[k % D] += minus.get(i)[k] - plus.get(i)[k];
            }
            count += minus.get(i).length / D;
        }
        for (int j = 0; j < D; j++) {
            v[j] /= count;
        }
        double cleanMax = Double.NEGATIVE_INFINITY;
        double pushedMin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < clean.size(); i++) {
            for (int p = 0; p < 16; p++) {
                cleanMax = Math.max(cleanMax, dot(v, clean.get(i), p));
                pushedMin = Math.min(pushedMin, dot(v, minus.get(i), p));
            }
        }
        assertTrue(cleanMax < pushedMin, "the planted head separates pushed from clean patches: " + cleanMax + " < " + pushedMin);
        int classes = 151;
        float[] w = new float[classes * D];
        float[] b = new float[classes];
        System.arraycopy(v, 0, w, SINK * D, D);
        b[SINK] = (float) -((cleanMax + pushedMin) / 2);
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> "class " + i).toList();
        new LinearHead(w, b, new HeadProvenance(HeadKind.SEGMENT, modelId, null, sha, null, null, RecordedLayer.FINAL, D, names, 0, null, null))
                .save(file);
        return file;
    }

    private static float[] patches(VisionOutput out, VisionTower tower) {
        NDArray z = FinalFeatures.tokens(out, tower.head());
        return z.get(new NDIndex(":, 5:, :")).toFloatArray();
    }

    private static double dot(float[] v, float[] rows, int p) {
        double s = 0;
        for (int j = 0; j < D; j++) {
            s += (double) v[j] * rows[p * D + j];
        }
        return s;
    }

    /**
     * concepts.csv choosing latent 5 for class 1 and none for class 2, with the SAE checksum {@code sha}; the names are the
     * head's ("class 1", "class 2"), as the rows are matched to the head's classes by name.
     */
    private static Path concepts(Path dir, String sha) throws Exception {
        return ControlFixtures.concepts(dir, sha, List.of(new ConceptRow(1, "class 1", PLANTED), new ConceptRow(2, "class 2", -1)));
    }
}

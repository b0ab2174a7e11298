package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.image.Preprocessor;
import saelab.intervene.EditOperation;
import saelab.intervene.EditSession;
import saelab.intervene.EditTokens;
import saelab.intervene.ErrorPolicy;
import saelab.intervene.LatentEdit;
import saelab.intervene.ProtocolImages;
import saelab.intervene.SpliceForm;
import saelab.io.Json;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.TokenKind;

/**
 * End to end on the embedded default at its quick size, with the real toy backbones trained in Java: the SAE latents
 * must detect the planted concepts far better than both random baselines, and the same seed must give the same numbers.
 *
 * <p>"Far better" is fixed in advance, not fitted to this run. Baselines: random latents of the same SAE and random
 * unit directions in activation space, each scored the same way (best threshold for F1). (1) For more than half of the
 * planted concepts (every colour, shape, texture and background kind per patch; every object count per image) the
 * best latent's AUROC exceeds the better baseline's by at least 0.1, for each backbone. (2) Colour, a per-pixel
 * property every backbone encodes, is found outright: for every colour the best latent's F1 is at least twice the
 * better baseline's. (On these small backbones shapes and textures pass (1) but reach only 1.5-1.8 times the
 * random-direction F1, and background kinds and object counts are not found; the README reports the numbers.)
 */
class DemoGroundTruthTest {

    @TempDir
    Path tmp;

    @Test
    void mostPlantedConceptsHaveALatentFarBetterThanRandomAndTheSameSeedGivesTheSameNumbers() throws IOException {
        Path first = run(tmp.resolve("a"));
        for (String backbone : List.of("clip", "dinov2")) {
            DemoOutputs out = DemoOutputs.open(first);
            for (String f : List.of("density.csv", "density.png", "density.pdf", "index.json")) {
                assertTrue(Files.isRegularFile(out.analysis(backbone, TokenKind.PATCHES).resolve(f)), backbone + ": analysis writes " + f);
            }
            List<String[]> rows = planted(out.concepts(backbone, TokenKind.PATCHES).resolve("concepts.csv"));
            assertEquals(6 + 6 + 4 + 4 + 3, rows.size(), backbone + ": every planted concept is scored");
            int aucClear = 0;
            int coloursFound = 0;
            StringBuilder table = new StringBuilder();
            for (String[] r : rows) {
                double bestF1 = num(r, "best_f1");
                double baseF1 = Math.max(num(r, "random_latent_f1"), num(r, "random_direction_f1"));
                double bestAuc = num(r, "best_auroc");
                double baseAuc = Math.max(num(r, "random_latent_auroc"), num(r, "random_direction_auroc"));
                if (r[col("family")].equals("colour") && bestF1 >= 2 * baseF1) {
                    coloursFound++;
                }
                if (bestAuc >= baseAuc + 0.1) {
                    aucClear++;
                }
                table.append(String.format(Locale.ROOT, "%n  %-10s %-12s F1 %.3f vs %.3f   AUROC %.3f vs %.3f", r[col("family")],
                        r[col("name")], bestF1, baseF1, bestAuc, baseAuc));
            }
            assertEquals(6, coloursFound, backbone + ": colours whose best latent has F1 >= 2x both baselines:" + table);
            assertTrue(2 * aucClear > rows.size(), backbone + ": only " + aucClear + " of " + rows.size()
                    + " concepts have a latent with AUROC >= 0.1 above both baselines:" + table);
        }

        // the control half on the toy backbones: the no-edit splice reproduces the clean heads bit for bit, and the delta
        // form of an edit equals encode-overwrite-decode with the error added back
        DemoOutputs controls = DemoOutputs.open(first);
        assertEquals(3, controls.ofKind("control").size(), "segment, classify and zero-shot runs: " + controls.ofKind("control"));
        for (String step : controls.ofKind("control")) {
            JsonNode f = Json.mapper().readTree(controls.dir(step).resolve("summary.json").toFile()).path("faithfulness");
            assertEquals(1.0, f.path("no_edit_agreement").asDouble(), step);
            assertEquals(0.0, f.path("no_edit_max_abs_logit_difference").asDouble(), step);
        }
        assertDeltaEqualsFull(controls);
        // the VLM control half: the toy VLM's colour questions on the held-out world through the CLIP patch SAE, the no-edit
        // answers the clean ones token for token, the figure and the criteria recorded
        assertEquals(List.of("control-vlm-clip", "control-vlm-clip-confirm", "control-vlm-clip-confirm-2", "control-vlm-clip-texture"),
                controls.ofKind("vlm-control"));
        Path colour = controls.vlmProtocol("control-vlm-clip", "colour");
        JsonNode vs = Json.mapper().readTree(colour.resolve("summary.json").toFile());
        assertTrue(vs.path("questions").asInt() > 0, vs.toString());
        assertEquals(vs.path("questions").asInt(), vs.at("/faithfulness/no_edit_identical_tokens").asInt());
        assertTrue(Files.isRegularFile(colour.resolve("vlm-protocol.png")) && Files.isRegularFile(colour.getParent().resolve("questions.jsonl")));
        assertTrue(controls.step("control-vlm-clip").at("/summary/colour/toy_criteria_passed").isBoolean(),
                controls.step("control-vlm-clip").toString());
        assertTrue(Files.isRegularFile(colour.resolve("dose-response.csv")) && Files.isRegularFile(colour.resolve("vlm-dose-response.png")));
        // the confirmatory step: the swap at its own dose, on scenes the exploratory step never asked about
        Path confirm = controls.vlmProtocol("control-vlm-clip-confirm", "colour");
        assertEquals(5.0, Json.mapper().readTree(confirm.resolve("index.json").toFile()).at("/parameters/swap_dose").asDouble());
        assertFalse(Files.exists(confirm.resolve("dose-response.csv")), "no sweep in the confirmatory run");
        java.util.Set<String> asked = images(colour.getParent().resolve("questions.jsonl"));
        java.util.Set<String> fresh = images(confirm.getParent().resolve("questions.jsonl"));
        assertFalse(fresh.isEmpty());
        assertTrue(java.util.Collections.disjoint(asked, fresh), asked + " / " + fresh);
        // the second confirmatory step draws its random latents outside the colour classes' concept latents
        JsonNode confirm2 = Json.mapper().readTree(controls.vlmProtocol("control-vlm-clip-confirm-2", "colour").resolve("index.json").toFile());
        java.util.Set<Integer> excluded = new java.util.HashSet<>();
        confirm2.at("/inputs/excluded_latents").forEach(v -> excluded.add(v.asInt()));
        for (String key : List.of("random_latent_draws", "swap_random_latent_draws")) {
            confirm2.at("/parameters/" + key).forEach(row -> row.forEach(v -> assertFalse(excluded.contains(v.asInt()), key + " " + v)));
        }
        assertTrue(confirm2.at("/inputs/random_latents_exclude").asText().startsWith("the answer classes' concept latents"), confirm2.toString());
        // the texture step asks only its family, the texture of the largest object
        JsonNode texture = controls.step("control-vlm-clip-texture").path("summary");
        List<String> families = new java.util.ArrayList<>();
        texture.fieldNames().forEachRemaining(families::add);
        assertEquals(List.of("texture"), families, texture.toString());
        for (String line : Files.readAllLines(controls.dir("control-vlm-clip-texture").resolve("texture/questions.jsonl"))) {
            assertTrue(line.contains("what texture is the largest object?"), line);
        }

        Path second = run(tmp.resolve("b"));
        DemoOutputs a = DemoOutputs.open(first);
        DemoOutputs b = DemoOutputs.open(second);
        for (String backbone : List.of("clip", "dinov2")) {
            assertArrayEquals(Files.readAllBytes(a.model(backbone).resolve("model.safetensors")),
                    Files.readAllBytes(b.model(backbone).resolve("model.safetensors")), backbone + ": same seed, same weights");
            for (TokenKind k : List.of(TokenKind.PATCHES, TokenKind.CLS)) {
                assertEquals(Files.readString(a.concepts(backbone, k).resolve("concepts.csv")),
                        Files.readString(b.concepts(backbone, k).resolve("concepts.csv")), backbone + " " + k + ": same numbers");
                assertEquals(Files.readString(a.eval(backbone, k).resolve("metrics.json")).replace(first.toString(), ""),
                        Files.readString(b.eval(backbone, k).resolve("metrics.json")).replace(second.toString(), ""));
            }
        }
    }

    /** The image paths of a question file. */
    private static java.util.Set<String> images(Path questions) throws java.io.IOException {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(questions)) {
            out.add(Json.mapper().readTree(line).path("image").asText());
        }
        return out;
    }

    /** On two held-out scenes, the toy DINOv2 backbone, its patch TopK SAE and its segmentation head: delta = full path. */
    private static void assertDeltaEqualsFull(DemoOutputs d) throws IOException {
        Path model = d.model("dinov2");
        Path saeFile = d.sae("dinov2", TokenKind.PATCHES);
        int block = saelab.analysis.RecordedLayer.resolve(saeFile, null, "block").layer();
        try (LoadedModel m = ModelLoader.load(model); NDManager nd = NDManager.newBaseManager()) {
            Sae sae = SaeCheckpoint.read(saeFile, nd);
            SegmentationHead head = SegmentationHead.of(LinearHead.load(d.dir("heads-dinov2").resolve("segment.safetensors")), m.vision());
            ProtocolImages images = ProtocolImages.open("ade20k:" + d.heldOutWorld().resolve(saelab.data.ToyWorldWriter.COLOUR_VIEW), "train",
                    Preprocessor.load(model), m.vision(), true, 2);
            for (int i = 0; i < images.size(); i++) {
                ProtocolImages.Image img = images.load(i);
                var size = images.imageSize();
                NDArray x = m.vision().forward(nd.create(img.pixels(), new Shape(1, 3, size.height(), size.width())), Set.of(block))
                        .blocks().get(block);
                try (EditSession s = EditSession.ofResidual(m.vision(), sae, block, x, images.layout(), new int[][] {img.patchLabels()})) {
                    LatentEdit edit = new LatentEdit(null, EditTokens.allPatches(), new int[] {0, 3, 7}, EditOperation.SET,
                            new float[] {0f, 2.5f, -1f}, ErrorPolicy.KEEP);
                    float[] delta = s.logits(edit, SpliceForm.DELTA, head, nd).toFloatArray();
                    float[] full = s.logits(edit, SpliceForm.FULL, head, nd).toFloatArray();
                    for (int k = 0; k < delta.length; k++) {
                        assertEquals(full[k], delta[k], 1e-4 + 1e-4 * Math.abs(full[k]), "image " + i + " logit " + k);
                    }
                }
            }
        }
    }

    private static Path run(Path work) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PlanRunner.run(saelab.plan.PlanReader.read(saelab.config.Workspace.locate().manifests().resolve("plans/quick.json"), PlanKinds.ALL),
                new PlanRunner.Options(work, Set.of(), null, null, new PrintStream(bytes, true, StandardCharsets.UTF_8)));
        return work;
    }

    private static final List<String> HEADER = List.of("family", "unit", "class", "name", "positives", "prevalence", "f1_all",
            "best_f1_latent", "best_f1", "best_f1_threshold", "best_auroc_latent", "best_auroc", "random_latent_f1",
            "random_latent_auroc", "random_direction_f1", "random_direction_auroc", "random_direction_max_auroc");

    private static int col(String name) {
        return HEADER.indexOf(name);
    }

    private static double num(String[] row, String name) {
        return Double.parseDouble(row[col(name)]);
    }

    /** The rows of the planted families (patch: colour, shape, texture, background; image: count), without "none". */
    private static List<String[]> planted(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(String.join(",", HEADER), lines.getFirst(), csv + ": header");
        List<String[]> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] r = line.split(",", -1);
            String family = r[col("family")];
            boolean patchFamily = List.of("colour", "shape", "texture", "background").contains(family) && r[col("unit")].equals("patch");
            boolean count = family.equals("count") && r[col("unit")].equals("image");
            if ((patchFamily || count) && !r[col("name")].equals(ToyFamily.NONE)) {
                out.add(r);
            }
        }
        return out;
    }
}

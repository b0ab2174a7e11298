package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.io.Json;
import saelab.model.LoadedModel;
import saelab.model.ModelFamily;
import saelab.model.ModelLoader;
import saelab.text.Tokenizers;

/**
 * {@link ToyBackboneTrainer#train} at the quick size, once per kind: the Hugging Face folder with its report and
 * curve, a decreasing loss, held-out checks that beat chance with a clear margin, and a rerun that finds the model
 * already there.
 */
class ToyBackboneTrainerTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(0);

    @TempDir
    static Path tmp;

    private static final Map<ToyBackboneKind, ToyBackboneReport> reports = new java.util.EnumMap<>(ToyBackboneKind.class);

    @BeforeAll
    static void trainBoth() throws IOException {
        for (ToyBackboneKind kind : ToyBackboneKind.values()) {
            reports.put(kind, ToyBackboneTrainer.train(ToyBackboneSpec.quick(kind), WORLD, dir(kind), null));
        }
    }

    private static Path dir(ToyBackboneKind kind) {
        return tmp.resolve("models").resolve(kind.id());
    }

    @Test
    void writesAHuggingFaceFolderThatSaelabLoads() throws IOException {
        for (ToyBackboneKind kind : ToyBackboneKind.values()) {
            Path d = dir(kind);
            for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json", "report.json",
                    "training/training-curve.csv")) {
                assertTrue(Files.isRegularFile(d.resolve(f)) && Files.size(d.resolve(f)) > 0, kind + ": " + f);
            }
            for (String f : List.of("training/training-curve.png", "training/training-curve.pdf")) {
                assertFalse(Files.exists(d.resolve(f)), kind + ": the toy trainer draws no chart, the notebook does: " + f);
            }
            try (LoadedModel m = ModelLoader.load(d)) {
                assertEquals(kind == ToyBackboneKind.CLIP ? ModelFamily.CLIP : ModelFamily.DINOV2, m.family());
                assertEquals(ToyBackboneSpec.quick(kind).layers(), m.vision().depth());
                assertEquals(ToyBackboneSpec.quick(kind).width(), m.vision().width());
                assertEquals(8, m.vision().patchSize());
            }
            try (var s = Files.list(d.getParent())) {
                assertEquals(List.of(), s.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "no staging folder left behind");
            }
        }
        var tokenizer = Tokenizers.fromFolder(dir(ToyBackboneKind.CLIP));
        int[] ids = tokenizer.encode("a red circle");
        assertEquals(5, ids.length, "the CLIP folder has its tokenizer, one token per caption word");
        assertEquals(tokenizer.startTokenId(), ids[0]);
    }

    @Test
    void reportMatchesTheFileAndTheCurve() throws IOException {
        for (ToyBackboneKind kind : ToyBackboneKind.values()) {
            ToyBackboneReport r = reports.get(kind);
            ToyBackboneSpec spec = ToyBackboneSpec.quick(kind);
            assertEquals(spec, r.spec());
            assertEquals(dir(kind).resolve("training/training-curve.csv"), r.curveCsv());
            JsonNode json = Json.mapper().readTree(Files.readAllBytes(dir(kind).resolve("report.json")));
            assertEquals(ToyBackboneTrainer.contentHash(spec, WORLD), json.get("content_sha256").asText());
            assertEquals(ToyBackboneTrainer.GENERATOR, json.get("generator").asText());
            assertEquals(r.heldOut(), json.at("/held_out/value").asDouble());
            assertEquals(r.probeCls(), json.at("/probe/cls").asDouble());
            for (String target : List.of("colour", "shape", "texture")) {
                ToyAttributeProbe a = r.attributeProbe(target);
                assertEquals(a.cls(), json.at("/probe/largest_object/" + target + "/cls").asDouble(), target);
                assertEquals(a.meanPatch(), json.at("/probe/largest_object/" + target + "/mean_patch").asDouble(), target);
                assertEquals(a.chance(), json.at("/probe/largest_object/" + target + "/chance").asDouble(), target);
            }
            assertEquals(List.of(6, 6, 4), r.attributeProbes().stream().map(ToyAttributeProbe::classes).toList(), "colour, shape, texture");
            List<String> lines = Files.readAllLines(r.curveCsv());
            assertEquals("step,loss,lr,images_per_s", lines.getFirst());
            assertEquals(spec.steps() + 1, lines.size());
            assertTrue(r.seconds() > json.at("/timings/training_seconds").asDouble());
        }
    }

    /** The mean loss of steps [from, to) from the curve file. */
    private static double meanLoss(Path csv, int from, int to) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += Double.parseDouble(lines.get(i + 1).split(",")[1]);
        }
        return sum / (to - from);
    }

    @Test
    void lossDecreases() throws IOException {
        for (ToyBackboneKind kind : ToyBackboneKind.values()) {
            ToyBackboneReport r = reports.get(kind);
            int n = r.spec().steps();
            double first = meanLoss(r.curveCsv(), 0, 10);
            double last = meanLoss(r.curveCsv(), n - 10, n);
            assertTrue(last < 0.85 * first, kind + ": loss of the first 10 steps " + first + ", of the last 10 " + last);
        }
    }

    @Test
    void heldOutChecksBeatChanceClearly() {
        ToyBackboneReport clip = reports.get(ToyBackboneKind.CLIP);
        assertEquals("caption_retrieval_top1", clip.heldOutMetric());
        assertTrue(clip.heldOut() > 2.5 * clip.heldOutChance(), "CLIP retrieval " + clip.heldOut() + ", chance " + clip.heldOutChance());
        ToyBackboneReport dino = reports.get(ToyBackboneKind.DINOV2);
        assertEquals("masked_patch_mse", dino.heldOutMetric());
        assertTrue(dino.heldOut() < 0.85 * dino.heldOutChance(), "DINOv2 masked-patch MSE " + dino.heldOut() + ", predicting zero "
                + dino.heldOutChance());
        for (ToyBackboneReport r : reports.values()) {
            assertTrue(r.probeChance() > 0 && r.probeChance() < 0.1, "36 classes: " + r.probeChance());
            assertTrue(r.probeCls() > 2 * r.probeChance(), r.spec().kind() + " CLS probe " + r.probeCls() + ", chance " + r.probeChance());
            assertTrue(r.probeMeanPatch() > 2 * r.probeChance(), r.spec().kind() + " mean-patch probe " + r.probeMeanPatch() + ", chance "
                    + r.probeChance());
        }
    }

    @Test
    void rerunFindsTheModelAlreadyThere() throws IOException {
        ToyBackboneKind kind = ToyBackboneKind.DINOV2;
        Path weights = dir(kind).resolve("model.safetensors");
        FileTime before = Files.getLastModifiedTime(weights);
        long t0 = System.nanoTime();
        ToyBackboneReport again = ToyBackboneTrainer.train(ToyBackboneSpec.quick(kind), WORLD, dir(kind), null);
        assertTrue((System.nanoTime() - t0) / 1e9 < 2, "no training the second time");
        assertEquals(reports.get(kind), again);
        assertEquals(before, Files.getLastModifiedTime(weights));
    }
}

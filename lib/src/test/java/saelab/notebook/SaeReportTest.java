package saelab.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.LabelStatistics;
import saelab.demo.DemoOutputs;
import saelab.io.Verbosity;
import saelab.plot.ChartFigure;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * The SAE report on a planted demo folder: one backbone "toy" with a TopK patch SAE and a ReLU CLS SAE whose configs,
 * provenance, eval metrics, training logs, per-latent statistics and density view are written by hand, so every number
 * of the report is known.
 */
class SaeReportTest {

    @TempDir
    Path work;

    private static final int D_MODEL = 4;
    private static final int D_SAE = 8;

    @BeforeEach
    void plant() throws IOException {
        Files.writeString(work.resolve("demo.json"), """
                {"format": "saelab-demo/1", "size": "test", "steps": {
                  "backbone-toy": {"kind": "backbone", "inputs": {"model": "toy"}, "dir": "backbone-toy/a"},
                  "capture-toy": {"kind": "capture", "inputs": {"dataset": "world", "model": "backbone-toy"}, "dir": "capture-toy/a"},
                  "sae-toy-patch": {"kind": "sae", "inputs": {"capture": "capture-toy"}, "dir": "sae-toy-patch/a"},
                  "eval-toy-patch": {"kind": "eval", "inputs": {"sae": "sae-toy-patch", "capture": "capture-toy"}, "dir": "eval-toy-patch/a"},
                  "analyze-toy-patch": {"kind": "analyze", "inputs": {"sae": "sae-toy-patch", "capture": "capture-toy"},
                                        "dir": "analyze-toy-patch/a"},
                  "sae-toy-cls": {"kind": "sae", "inputs": {"capture": "capture-toy"}, "dir": "sae-toy-cls/a"},
                  "eval-toy-cls": {"kind": "eval", "inputs": {"sae": "sae-toy-cls", "capture": "capture-toy"}, "dir": "eval-toy-cls/a"}}}
                """);
        Path model = Files.createDirectories(work.resolve("backbone-toy/a/model"));
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"dinov2\"}");
        Path cache = work.resolve("capture-toy/a/cache");
        SyntheticCache.write(cache, 2, 5, D_MODEL, StorageDtype.F32, 1, 3, 1, 1 << 20, Verbosity.QUIET); // label 0 = background
        // the synthetic cache records block 0; say block 2 so the test sees the layer read from the manifest
        Path manifest = cache.resolve("manifest.json");
        String m = Files.readString(manifest);
        Files.writeString(manifest, m.replaceFirst("\"layers\"\\s*:\\s*\\[\\s*0\\s*]", "\"layers\" : [ 2 ]"));

        SaeConfig topk = SaeConfig.builder(SaeKind.TOPK, D_MODEL, D_SAE).k(2).lr(1e-3).batchSize(64).steps(10).build();
        checkpoint("sae-toy-patch/a", topk, Map.of("steps", 10, "tokens_seen", 640));
        SaeConfig relu = SaeConfig.builder(SaeKind.RELU, D_MODEL, D_SAE).l1(0.003).lr(1e-3).batchSize(16).steps(5).build();
        checkpoint("sae-toy-cls/a", relu, Map.of("steps", 5)); // no tokens_seen: steps x batch
        Files.writeString(work.resolve("sae-toy-patch/a/metrics.jsonl"), """
                {"step": 0, "tokens": 64, "lr": 1e-4, "l1_coeff": 0, "loss": 4.0, "mse": 4.0, "l1": 3, "l0": 2, "never_fired": 6}
                {"step": 5, "tokens": 384, "lr": 1e-3, "l1_coeff": 0, "loss": 2.0, "mse": 2.0, "l1": 3, "l0": 2, "never_fired": 2}
                {"step": 9, "tokens": 640, "lr": 1e-3, "l1_coeff": 0, "loss": 1.0, "mse": 1.0, "l1": 3, "l0": 2, "never_fired": 1}
                """);
        Files.writeString(work.resolve("sae-toy-cls/a/metrics.jsonl"), """
                {"step": 0, "tokens": 16, "lr": 1e-4, "l1_coeff": 0.003, "loss": 0.5, "mse": 0.4, "l1": 30, "l0": 5.5, "never_fired": 0}
                {"step": 4, "tokens": 80, "lr": 1e-3, "l1_coeff": 0.003, "loss": 0.25, "mse": 0.2, "l1": 20, "l0": 3.5, "never_fired": 0}
                """);
        eval("eval-toy-patch/a", 128, 2.0, 0.25, 2, 3, new double[] {0, 0, 1e-5, 5e-5, 0.02, 0.05, 0.2, 0.3});
        eval("eval-toy-cls/a", 2, 3.5, 0.5, 0, 8, new double[] {0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5});
        Path analysis = Files.createDirectories(work.resolve("analyze-toy-patch/a"));
        Files.writeString(analysis.resolve("density.csv"), LabelStatistics.DENSITY_HEADER + "\n"
                + "0,,,,,-1,\n1,,,,,-1,\n2,-5,0.3,0,1,1,a\n3,-4.30103,0.2,0.2,0.9,1,a\n"
                + "4,-1.69897,0,1.5,0.5,0,background\n5,-1.30103,0,1.3,0.5,0,background\n"
                + "6,-0.69897,-0.1,1.4,0.5,0,background\n7,-0.52288,-0.2,,,-1,\n");
    }

    private void checkpoint(String dir, SaeConfig cfg, Map<String, Object> provenance) throws IOException {
        Path d = Files.createDirectories(work.resolve(dir));
        Files.writeString(d.resolve("step.json"), "{\"params\": {\"tokens\": \"" + (dir.contains("cls") ? "cls" : "patches") + "\"}}");
        int n = D_MODEL * D_SAE;
        SaeCheckpoint.write(d.resolve("sae.safetensors"), cfg,
                new SaeCheckpoint.Arrays(new float[n], new float[D_SAE], new float[n], new float[D_MODEL], null), provenance);
    }

    private void eval(String dir, long rows, double l0, double nmse, int dead, int dense, double[] frequency) throws IOException {
        Path d = Files.createDirectories(work.resolve(dir));
        Files.writeString(d.resolve("metrics.json"), String.format(java.util.Locale.ROOT,
                "{\"rows\": %d, \"l0\": %s, \"mse\": 0.1, \"normalized_mse\": %s, \"explained_variance\": %s, \"dead\": %d,"
                        + " \"almost_dead\": %d, \"dense\": %d}", rows, l0, nmse, 1 - nmse, dead, dead, dense));
        StringBuilder csv = new StringBuilder("latent,frequency,mean_value\n");
        for (int i = 0; i < frequency.length; i++) {
            csv.append(i).append(',').append(frequency[i]).append(',').append(frequency[i] > 0 ? 1.5 : 0.0).append('\n');
        }
        Files.writeString(d.resolve("latents.csv"), csv);
    }

    private DemoOutputs demo() throws IOException {
        return DemoOutputs.open(work);
    }

    @Test
    void tableHasOneRowPerSaeWithItsConfigProvenanceAndEvaluation() throws IOException {
        Table t = SaeReport.table(demo());
        assertEquals(List.of("toy patch", "toy cls"), t.stringColumn("sae").asList());
        Row patch = t.row(0);
        assertEquals("toy", patch.getString("model"));
        assertEquals("dinov2", patch.getString("model_type"));
        assertEquals(2, patch.getInt("layer"));
        assertEquals("topk", patch.getString("kind"));
        assertEquals(D_SAE, patch.getInt("d_sae"));
        assertEquals(2, patch.getInt("k"));
        assertTrue(t.doubleColumn("l1_coeff").isMissing(0), "a TopK SAE has no sparsity coefficient");
        assertEquals(640, patch.getLong("tokens_seen"));
        assertEquals(128, patch.getLong("eval_tokens"));
        assertEquals(2.0, patch.getDouble("l0"));
        assertEquals(0.25, patch.getDouble("normalized_mse"));
        assertEquals(0.75, patch.getDouble("explained_variance"));
        assertEquals(2.0 / D_SAE, patch.getDouble("dead_fraction"));
        assertEquals(3.0 / D_SAE, patch.getDouble("dense_fraction"));
        Row cls = t.row(1);
        assertEquals("relu", cls.getString("kind"));
        assertTrue(t.intColumn("k").isMissing(1), "a ReLU SAE has no k");
        assertEquals(0.003, cls.getDouble("l1_coeff"));
        assertEquals(5 * 16, cls.getLong("tokens_seen"), "steps x batch when the provenance has no tokens_seen");
        assertEquals(1.0, cls.getDouble("dense_fraction"));
    }

    @Test
    void trainingLogHoldsEveryLineOfEverySae() throws IOException {
        Table log = SaeReport.trainingLog(demo());
        assertEquals(5, log.rowCount());
        Table patch = log.where(log.stringColumn("sae").isEqualTo("toy patch"));
        assertArrayEquals(new double[] {1, 0.5, 0.25}, patch.doubleColumn("relative_loss").asDoubleArray());
        assertArrayEquals(new double[] {6.0 / D_SAE, 2.0 / D_SAE, 1.0 / D_SAE}, patch.doubleColumn("never_fired_fraction").asDoubleArray());
        assertEquals(640, patch.longColumn("tokens").getLong(2));
        ChartFigure f = SaeReport.curves("c", log, "l0", "L0", "L0", false);
        assertEquals(2, ((org.knowm.xchart.XYChart) f.chart()).getSeriesCollection().size());
    }

    @Test
    void histogramsCountEachSaesLatents() throws IOException {
        ChartFigure f = SaeReport.frequencyHistograms("f", demo());
        Table t = f.data();
        Table patch = t.where(t.stringColumn("sae").isEqualTo("toy patch"));
        int zeros = patch.intColumn("latents").getInt(patch.rowCount() - 1);
        assertEquals(2, zeros);
        assertEquals(D_SAE, patch.intColumn("latents").sum());
        ChartFigure m = SaeReport.meanHistograms("m", demo());
        assertEquals(2 * D_SAE, m.data().intColumn("latents").sum());
    }

    @Test
    void lowDensitySummarisesThePatchSaesCluster() throws IOException {
        Table t = SaeReport.lowDensity(demo(), 1e-4);
        assertEquals(1, t.rowCount());
        Row r = t.row(0);
        assertEquals("toy patch", r.getString("sae"));
        assertEquals(2, r.getInt("dead"));
        assertEquals(2, r.getInt("cluster"));
        assertEquals(0.25, r.getDouble("cluster_fraction"));
        assertEquals(0.1, r.getDouble("cluster_entropy"), 1e-9);
        assertEquals(1.4, r.getDouble("rest_entropy"), 1e-9);
        assertEquals(3, r.getInt("rest_labelled"));
        assertEquals(0.0, r.getDouble("cluster_background_share"), "both cluster latents' top patches are mostly label 1");
        assertEquals(0.75, r.getDouble("rest_background_share"));
        ChartFigure d = SaeReport.density("d", demo(), SaeReport.patchSaes(demo()).getFirst(), 1e-4);
        assertArrayEquals(new int[] {0, 0, 1, 1, 0, 0, 0, 0}, d.data().intColumn("low_density").asIntArray());
    }

    @Test
    void aMissingMetricNamesTheFileAndField() throws IOException {
        Path metrics = work.resolve("eval-toy-cls/a/metrics.json");
        Files.writeString(metrics, "{\"rows\": 2, \"l0\": 1}");
        var e = assertThrows(IllegalArgumentException.class, () -> SaeReport.table(demo()));
        assertTrue(e.getMessage().contains(metrics.toString()) && e.getMessage().contains("'normalized_mse'"), e.getMessage());
    }

    @Test
    void aBrokenTrainingLogLineNamesTheFileAndLine() throws IOException {
        Path log = work.resolve("sae-toy-cls/a/metrics.jsonl");
        Files.writeString(log, "{\"step\": 0, \"tokens\": 16, \"loss\": 0.5}\n{\"step\": 1, \"tok");
        var e = assertThrows(IllegalArgumentException.class, () -> SaeReport.trainingLog(demo()));
        assertTrue(e.getMessage().contains(log + " line 2"), e.getMessage());
    }

    @Test
    void aBadLatentRowNamesTheFileAndRow() throws IOException {
        Path csv = work.resolve("eval-toy-patch/a/latents.csv");
        Files.writeString(csv, "latent,frequency,mean_value\n0,0.1,1\n1,NaN,1\n");
        var e = assertThrows(IllegalArgumentException.class, () -> SaeReport.frequencyHistograms("f", demo()));
        assertTrue(e.getMessage().contains(csv + ": row 2"), e.getMessage());
        Files.writeString(csv, "latent,frequency\n0,0.1\n");
        var f = assertThrows(IllegalArgumentException.class, () -> SaeReport.frequencyHistograms("f", demo()));
        assertTrue(f.getMessage().contains("header"), f.getMessage());
    }
}

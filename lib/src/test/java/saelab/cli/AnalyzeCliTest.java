package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DecoderMaps;
import saelab.io.Verbosity;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/** {@code saelab analyze} end to end on a synthetic cache: the analysis folder, its reader, and the decoder maps. */
class AnalyzeCliTest {

    @TempDir
    Path dir;

    @Test
    void analyzeWritesTheFolderAndMaps() throws Exception {
        Path cache = dir.resolve("cache");
        SyntheticCache.write(cache, 40, 17, 16, StorageDtype.F32, 1, 5, 7, 1L << 20, Verbosity.QUIET);
        Path ckpt = dir.resolve("sae.safetensors");
        SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, 16, 64).k(4).lr(1e-3).batchSize(32).steps(10).seed(3).build();
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(cfg, nd)) {
            SaeCheckpoint.write(ckpt, sae, Map.of());
        }
        Path out = dir.resolve("analysis");
        PrintStream old = System.out;
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
            code = Main.run("analyze", "--sae", ckpt.toString(), "--cache", cache.toString(), "--out", out.toString(), "--k", "4",
                    "--latents", "0-19", "--maps", "--batch", "64");
        } finally {
            System.setOut(old);
            System.setErr(oldErr);
        }
        assertEquals(0, code);
        assertTrue(Files.isRegularFile(out.resolve("index.json")));
        AnalysisResult r = AnalysisResult.read(out);
        assertEquals(20, r.fires().length);
        List<DecoderMaps.Row> rows = DecoderMaps.read(out);
        assertEquals(20, rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(i, rows.get(i).latent());
            assertTrue(Double.isFinite(rows.get(i).pcaX()) && Double.isFinite(rows.get(i).umapX()), rows.get(i).toString());
            assertEquals(r.frequency(i), rows.get(i).frequency(), 1e-12);
        }
        // the cache has patch labels: the density view with label entropies
        List<String> density = Files.readAllLines(out.resolve("density.csv"));
        assertEquals(saelab.analysis.LabelStatistics.DENSITY_HEADER, density.get(0));
        assertEquals(21, density.size());
        int withEntropy = 0;
        for (String line : density.subList(1, density.size())) {
            String[] f = line.split(",", -1);
            if (!f[3].isEmpty() && !f[3].equals("NaN")) {
                double h = Double.parseDouble(f[3]);
                assertTrue(h >= 0 && h <= Math.log(5) + 1e-9, line);
                withEntropy++;
            }
        }
        assertTrue(withEntropy > 0, "some latent's top patches carry labels: " + density);
        // the notebook one-liners over the same folder
        PrintStream quiet = System.out;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            int busiest = 0;
            for (int i = 1; i < 20; i++) {
                busiest = r.fires()[i] > r.fires()[busiest] ? i : busiest;
            }
            var grid = saelab.notebook.Analyses.showLatent(out, busiest);
            assertTrue(grid.render().getWidth() > 0);
            assertEquals("latent-frequency", saelab.notebook.Analyses.showFrequencies(out).id());
            assertEquals("latent-mean", saelab.notebook.Analyses.showMeans(out).id());
        } finally {
            System.setOut(quiet);
        }
    }
}

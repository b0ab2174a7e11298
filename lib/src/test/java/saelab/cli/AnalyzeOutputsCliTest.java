package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DensityView;
import saelab.analysis.LabelStatistics;
import saelab.analysis.SparseCodes;
import saelab.io.Verbosity;
import saelab.notebook.Analyses;
import saelab.plot.ChartFigure;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;

/**
 * What {@code saelab analyze} writes besides the analysis itself: the density view drawn next to density.csv
 * when the cache has patch labels (and the notebook's {@code showDensity} over it), none without labels, and
 * with {@code --codes} the CSR codes of every token.
 */
class AnalyzeOutputsCliTest {

    @TempDir
    Path dir;

    private Path sae() throws Exception {
        Path ckpt = dir.resolve("sae.safetensors");
        SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, 16, 64).k(4).lr(1e-3).batchSize(32).steps(10).seed(3).build();
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(cfg, nd)) {
            SaeCheckpoint.write(ckpt, sae, Map.of());
        }
        return ckpt;
    }

    @Test
    void densityViewAndCodes() throws Exception {
        Path cache = dir.resolve("cache");
        SyntheticCache.write(cache, 24, 17, 16, StorageDtype.F32, 1, 5, 7, 1L << 20, Verbosity.QUIET);
        Path out = dir.resolve("analysis");
        CliRun.Result r = CliRun.run("analyze", "--sae", sae().toString(), "--cache", cache.toString(), "--out", out.toString(), "--k", "4",
                "--latents", "0-19", "--batch", "64", "--codes");
        assertEquals(0, r.code(), r.err());
        // density.csv keeps its own layout; the figure is drawn beside it
        assertEquals(LabelStatistics.DENSITY_HEADER, Files.readAllLines(out.resolve("density.csv")).getFirst());
        assertTrue(Files.size(out.resolve("density.png")) > 1000);
        assertTrue(Files.size(out.resolve("density.pdf")) > 500);
        AnalysisResult a = AnalysisResult.read(out);
        DensityView v = DensityView.read(out);
        assertEquals(20, v.latents().length);
        for (int i = 0; i < 20; i++) {
            assertEquals(a.index().latents().get(i), v.latents()[i]);
            assertEquals(a.frequency(i), v.frequency()[i], 1e-5 * a.frequency(i));
            assertEquals(a.meanWhenFiring(i), v.mean()[i], 1e-5 * a.meanWhenFiring(i));
        }
        PrintStream old = System.out;
        ChartFigure f;
        try {
            System.setOut(new PrintStream(OutputStream.nullOutputStream()));
            f = Analyses.showDensity(out);
        } finally {
            System.setOut(old);
        }
        assertEquals("density", f.id());
        assertEquals(20, f.data().rowCount());
        assertEquals(v.drawable(), f.data().intColumn("shown").asList().stream().mapToInt(Integer::intValue).sum());
        // the codes of every token, all 64 latents, whatever --latents says
        try (SparseCodes codes = SparseCodes.open(out)) {
            assertEquals(24L * 17, codes.rows());
            assertEquals(64, codes.index().dSae());
            assertTrue(codes.nnz() > 0 && codes.nnz() <= 24L * 17 * 4, "TopK k = 4: " + codes.nnz());
            long firing = 0;
            for (long row = 0; row < codes.rows(); row++) {
                for (int j : codes.codes(row).latents()) {
                    firing += j < 20 && row % 17 != 0 ? 1 : 0; // patch tokens of the analysed latents
                }
            }
            long fires = 0;
            for (long x : a.fires()) {
                fires += x;
            }
            assertEquals(fires, firing, "the codes agree with the analysis's firing counts");
        }
        assertTrue(r.out().contains("density.png") && r.out().contains("codes"), r.out());
    }

    @Test
    void noLabelsNoDensityNoCodesUnlessAsked() throws Exception {
        Path cache = dir.resolve("plain");
        SyntheticCache.write(cache, 6, 17, 16, StorageDtype.F32, 1, 0, 7, 1L << 20, Verbosity.QUIET);
        Path out = dir.resolve("analysis");
        CliRun.Result r = CliRun.run("analyze", "--sae", sae().toString(), "--cache", cache.toString(), "--out", out.toString(), "--k", "2");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("density.csv")));
        assertFalse(Files.exists(out.resolve("density.png")));
        assertFalse(Files.exists(out.resolve(SparseCodes.FOLDER)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Analyses.showDensity(out));
        assertTrue(e.getMessage().contains(out.resolve("density.csv").toString()) && e.getMessage().contains("patch labels"), e.getMessage());
    }
}
